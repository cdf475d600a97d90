"""Web hardening middleware: no cached copies of anything shown to a signed-in user (等保三级 剩余信息保护)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to an authenticated request.

    Member lists and details, exports, unmask fragments, import results, points files: none may stay
    in a browser or proxy cache. Static files (public, no personal data) are left cacheable. API calls
    with a token count as authenticated once DRF has set request.user; the Authorization header alone
    is enough too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
