"""An observer linked to (or unlinked from) a login changes that user's menu: their cached access context
(accounts.context) is bumped."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts.context import bump_access_version
from observers.models import Observer


def _observer_changed(sender: Any, instance: Observer, **kwargs: Any) -> None:
    bump_access_version([instance.user_id])


def connect_signals() -> None:
    post_save.connect(_observer_changed, sender=Observer, dispatch_uid="observers.observer_saved")
    post_delete.connect(_observer_changed, sender=Observer, dispatch_uid="observers.observer_deleted")
