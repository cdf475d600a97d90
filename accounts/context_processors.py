from typing import Any

from django.http import HttpRequest

from accounts.access import can_write_anywhere, has_any_scope


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_scope": has_any_scope(user),
        "nav_can_write": can_write_anywhere(user),
        "nav_is_auditor": user.is_superuser
        or user.grants.filter(role__in=["auditor", "dept_admin"]).exists(),
    }
