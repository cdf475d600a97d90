"""Session security: idle timeout and the forced change of initial passwords."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

_LAST_SEEN = "last_seen"
# last_seen is rewritten at most once a minute: most requests then leave the session row alone (no UPDATE and
# commit per page), and the idle timeout can only come up to a minute early, never late.
_LAST_SEEN_RESOLUTION = 60
_EXEMPT_PREFIXES = ("/static/", "/accounts/login/", "/accounts/logout/", "/accounts/password/")


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _LAST_SEEN in request.session:
            now = timezone.now().timestamp()
            idle = now - float(request.session[_LAST_SEEN])
            if idle > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                from accounts.services import logout_user

                logout_user(request, reason="idle")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "会话已超时，请重新登录"}, status=401)
                back = request.get_full_path() if request.method == "GET" else request.path
                return _redirect(
                    request, f"{reverse('accounts:login')}?{urlencode({'timeout': '1', 'next': back})}"
                )
            if now - float(request.session[_LAST_SEEN]) >= _LAST_SEEN_RESOLUTION:
                request.session[_LAST_SEEN] = now
        elif user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            request.session[_LAST_SEEN] = timezone.now().timestamp()

        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "请先登录网页修改初始密码"}, status=403)
            return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    # An htmx request would swap the login page into a fragment; make the browser navigate instead.
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
