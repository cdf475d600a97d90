"""What every 学习教育 write checks first: the actor writes on the node; and how the hot paths that read through the
cursor convert a datetime column as the ORM would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from orgs.access import covers
from orgs.models import Member, Organization


def require_writer(actor: Any, org: Organization) -> None:
    if not covers(actor, org.path, write=True):
        raise PermissionDenied("您无权为该组织登记学习记录")


def require_member_writer(actor: Any, member: Member) -> None:
    require_writer(actor, member.org)


def aware(value: Any) -> Any:
    """A datetime column read through the cursor, as the ORM returns it (SQLite's come naive, in UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value
