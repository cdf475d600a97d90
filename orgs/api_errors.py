"""Service errors as API answers, for every app's endpoints: a service's ValidationError becomes a 400
with DRF's {field: [messages]} body (the Chinese messages kept); PermissionDenied and Http404 already
become 403 and 404 in DRF."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


def field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's {field: [messages]}, keeping the Chinese messages."""
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
            for name, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call; its ValidationError answers 400 with the messages by field."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError(field_errors(exc)) from exc
