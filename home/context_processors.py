from typing import Any

from django.http import HttpRequest

from home.menu import menu_html


def menu(request: HttpRequest) -> dict[str, Any]:
    """The side menu for the user's roles (home.menu), with the current page's entry marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu_html": menu_html(user, request.path)}
