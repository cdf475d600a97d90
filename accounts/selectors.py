"""Which audit events a user may read (三员分立, see orgs.roles).

Rule (kept simple on purpose):
- a 审计管理员 (audit_admin) reads the full trail, whatever node the grant names;
- a 审计员 (auditor) on a node reads the events whose organization lies in that node's subtree,
  plus the account events (login, failed login, logout, password change) of users who hold any
  grant in that subtree. Failed logins under an unknown username belong to nobody's subtree, so
  only the audit administrator sees them;
- everybody else reads nothing — superusers (they are system administrators) and 组织部管理员
  included — and the page answers 404 so it does not advertise itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

import personal
from accounts.models import User
from audit.models import AuditEvent
from orgs.access import holds, role_paths
from orgs.models import RoleGrant
from orgs.paths import subtree_q
from orgs.roles import Role

AUDIT_ROLES = (Role.AUDITOR,)
FULL_AUDIT_ROLES = (Role.AUDIT_ADMIN,)
ACCOUNT_ACTIONS = (
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.LOGOUT,
    AuditEvent.Action.PASSWORD_CHANGE,
)


def can_read_audit(user: Any) -> bool:
    return audit_paths(user) != []


def audit_paths(user: Any) -> list[str] | None:
    """Subtrees whose audit trail the user reads: None for everything, [] for nothing."""
    if holds(user, FULL_AUDIT_ROLES):
        return None
    return role_paths(user, AUDIT_ROLES)


def events_visible_to(user: Any, paths: list[str] | None = None) -> QuerySet[AuditEvent]:
    if paths is None:
        paths = audit_paths(user)
    events = AuditEvent.objects.all()
    if paths is None:
        return events
    if not paths:
        return events.none()
    grants_here = RoleGrant.objects.filter(subtree_q(paths, "org__path"))
    account_event = Q(org_path="", action__in=ACCOUNT_ACTIONS) & (
        Q(actor_id__in=grants_here.values("user_id"))
        | Q(actor_id__isnull=True, actor_name__in=grants_here.values("user__username"))
    )
    return events.filter(subtree_q(paths, "org_path") | account_event)


def search_users(query: str = "", *, active: str = "") -> QuerySet[User]:
    """The user list of the 三员 pages: by username, name or (a full phone number) the member's phone."""
    users = User.objects.select_related("member", "member__org").order_by("username")
    query = query.strip()
    if query:
        match = Q(username__icontains=query) | Q(display_name__icontains=query)
        if personal.number_search_kind(query) == "phone":
            match |= Q(member__phone_hash=personal.blind_index("phone", query))
        users = users.filter(match)
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    return users
