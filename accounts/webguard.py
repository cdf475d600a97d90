"""Web hardening middleware: no cached copies of anything shown to a signed-in user (等保三级 剩余信息保护),
but for the one copy the device keeps on purpose, under rules: the service worker's copy of the phone's daily
pages (stale-while-revalidate, home/templates/home/sw.js), kept per login and dropped with it."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
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


# The service worker's copy of a page is kept under this login's key: a random value kept in the session and
# given to the worker in a cookie it can read (not HttpOnly; it opens no session and tells nothing of the
# user). A new session (every login as another user, or after a sign-out or an expired session) gets a new
# key; signing out deletes the cookie on that very answer. The worker reads the cookie on each navigation,
# keeps only the cache named after it and drops any other, so a page kept for one login is never shown to
# another.
PAGE_KEY_COOKIE = "xf_page"
PAGE_KEY_HEADER = "X-XF-Page-Key"
_PAGE_KEY_SESSION = "xf_page_key"


def page_key(request: HttpRequest) -> str:
    """This login's key ("" when signed out, or signed in by an API token: no session to keep it in)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None or SESSION_KEY not in session:
        return ""
    key = session.get(_PAGE_KEY_SESSION)
    if not isinstance(key, str) or not key:
        key = secrets.token_hex(16)
        session[_PAGE_KEY_SESSION] = key
    return key


def allow_device_copy(response: HttpResponse) -> HttpResponse:
    """A view's page the worker may keep and show at once on the next visit, while it fetches the fresh one
    (the phone's daily pages: the secretary's and the member's home, the record form). What the page needs
    is then its own business: a copy shows 「正在更新…」 until the fresh page replaces it, and a form on it
    takes the fresh page's CSRF token (and plan items) before anything is sent (static/js/xianfeng.js)."""
    response.xf_device_copy = True  # type: ignore[attr-defined]
    return response


class PageKeyMiddleware:
    """Keeps the `xf_page` cookie in step with the session, and labels a page a view allowed the worker to
    keep with the key of the login it was made for (only a 200 HTML answer to a signed-in GET): the worker
    stores it only when that label equals the cookie it read, so an answer that crossed a login change is
    never kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = page_key(request)
        if (
            key
            and getattr(response, "xf_device_copy", False)
            and request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response[PAGE_KEY_HEADER] = key
        if key and request.COOKIES.get(PAGE_KEY_COOKIE) != key:
            response.set_cookie(
                PAGE_KEY_COOKIE,
                key,
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # read by the service worker (cookieStore), which holds no session cookie
                samesite="Lax",
            )
        elif not key and PAGE_KEY_COOKIE in request.COOKIES:
            response.delete_cookie(PAGE_KEY_COOKIE, samesite="Lax")
        return response
