"""Schema helpers for every app's API views (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class ObjectListSchema(AutoSchema):
    """For a ``list`` action that answers one object (a report with its rows inside), not an array.

    drf-spectacular takes every ``list`` action for an array of its response serializer; a view whose
    list carries context (the month, the rule version, the formula) beside its rows sets
    ``schema = ObjectListSchema()`` so the documented shape is the one it sends.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False
