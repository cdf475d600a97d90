"""Which audit events a user may read.

Rule (kept simple on purpose):
- superusers read every event;
- a user holding 审计员 (auditor) or 组织部管理员 (dept_admin) on a node reads the events whose
  organization lies in that node's subtree, plus the account events (login, failed login, logout,
  password change) of users who hold any grant in that subtree. Failed logins under an unknown
  username belong to nobody's subtree, so only superusers see them;
- everybody else reads nothing, and the page answers 404 so it does not advertise itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.access import _minimal
from accounts.models import Role, RoleGrant
from audit.models import AuditEvent
from orgs.models import subtree_q

AUDIT_ROLES = (Role.AUDITOR, Role.DEPT_ADMIN)
ACCOUNT_ACTIONS = (
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.LOGOUT,
    AuditEvent.Action.PASSWORD_CHANGE,
)


def audit_paths(user: Any) -> list[str] | None:
    """Subtrees whose audit trail the user reads: None for everything, [] for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    paths = user.grants.filter(role__in=AUDIT_ROLES).values_list("org__path", flat=True)
    return _minimal(set(paths))


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
