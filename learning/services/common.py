"""What every 学习教育 write checks first: the actor writes on the node."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from orgs.access import covers
from orgs.models import Member, Organization


def require_writer(actor: Any, org: Organization) -> None:
    if not covers(actor, org.path, write=True):
        raise PermissionDenied("您无权为该组织登记学习记录")


def require_member_writer(actor: Any, member: Member) -> None:
    require_writer(actor, member.org)
