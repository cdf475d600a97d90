"""三员分立 (separation of duties): system, security and audit administrators are distinct people.

- 系统管理员 (SYSTEM_ADMIN): accounts and role grants. A superuser counts as one.
- 安全管理员 (SECURITY_ADMIN): security settings, unlocking accounts, resetting two-factor authentication.
- 审计管理员 (AUDIT_ADMIN): reads the full audit trail (审计员 AUDITOR reads their subtree's part).

These three roles are system-wide whatever node their grant names. One user may not hold the system
administrator role together with the security or audit administrator role; nobody, in any role, can
change or delete audit events (database triggers, read-only admin).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Role

DUTY_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
_EXCLUSIVE_WITH_SYSTEM = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
CONFLICT_MESSAGE = "三员分立：系统管理员不能同时担任安全管理员或审计管理员"


def holds(user: Any, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.grants.filter(role__in=roles).exists()


def is_security_admin(user: Any) -> bool:
    return holds(user, Role.SECURITY_ADMIN)


def is_audit_admin(user: Any) -> bool:
    return holds(user, Role.AUDIT_ADMIN)


def check_separation(user: Any, role: str, *, is_superuser: bool | None = None) -> None:
    """Raise ValidationError when granting `role` to `user` would join conflicting duties."""
    if user is None or user.pk is None:
        return
    held = set(user.grants.values_list("role", flat=True))
    superuser = user.is_superuser if is_superuser is None else is_superuser
    is_system = superuser or Role.SYSTEM_ADMIN in held or role == Role.SYSTEM_ADMIN
    wants_other = role in _EXCLUSIVE_WITH_SYSTEM or bool(held & _EXCLUSIVE_WITH_SYSTEM)
    if is_system and wants_other:
        raise ValidationError(CONFLICT_MESSAGE, code="separation_of_duties")
