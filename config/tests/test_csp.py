"""config.csp: the cached Content-Security-Policy is exactly django-csp's, per-view changes and nonces still
work, and a settings change is picked up."""

from __future__ import annotations

import pytest
from csp.constants import HEADER
from csp.decorators import csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from config.csp import CachedCSPMiddleware


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@csp_update({"worker-src": ["'self'", "blob:"]})
def updated(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]


def run(middleware_class: type[CSPMiddleware], view, path: str = "/x/") -> tuple[HttpRequest, HttpResponse]:  # type: ignore[no-untyped-def]
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return request, response


@pytest.mark.parametrize("view", [plain, updated, with_nonce])
def test_the_header_is_django_csps_own(view) -> None:  # type: ignore[no-untyped-def]
    _, ours = run(CachedCSPMiddleware, view)
    _, theirs = run(CSPMiddleware, view)
    if view is with_nonce:  # a fresh nonce each time: compare with it taken out
        ours_nonce, theirs_nonce = ours.content.decode(), theirs.content.decode()
        assert ours[HEADER].replace(ours_nonce, "N") == theirs[HEADER].replace(theirs_nonce, "N")
    else:
        assert ours[HEADER] == theirs[HEADER]
    assert ("worker-src 'self' blob:" in ours[HEADER]) is (view is updated)
    assert "default-src 'self'" in ours[HEADER]


def test_the_nonce_may_not_be_asked_for_after_the_header() -> None:
    request, _ = run(CachedCSPMiddleware, plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # type: ignore[attr-defined]


def test_a_settings_change_rebuilds_the_cached_policy() -> None:
    before = run(CachedCSPMiddleware, plain)[1][HEADER]
    with override_settings(
        CONTENT_SECURITY_POLICY={
            "DIRECTIVES": {"default-src": ["'none'"]},
            "EXCLUDE_URL_PREFIXES": ["/skip/"],
        }
    ):
        assert run(CachedCSPMiddleware, plain)[1][HEADER] == "default-src 'none'"
        assert HEADER not in run(CachedCSPMiddleware, plain, "/skip/me/")[1]
    assert run(CachedCSPMiddleware, plain)[1][HEADER] == before
