from typing import Any

from django.http import HttpRequest

from orgs.access import can_write_anywhere, has_any_scope, roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = roles(user)  # the same per-request read of the grants as the access checks
    return {
        "nav_has_scope": has_any_scope(user),
        "nav_can_write": can_write_anywhere(user),
        # 三员分立: only auditors and audit administrators read the audit trail (accounts.selectors).
        "nav_is_auditor": bool(held & {"auditor", "audit_admin"}),
        "nav_is_security_admin": "security_admin" in held,
    }
