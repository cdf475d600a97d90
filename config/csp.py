"""django-csp's middleware with the policy built once per process (等保三级 Web hardening, unchanged header).

django-csp builds the Content-Security-Policy string from the settings on every response (two dataclass
copies and a walk over every directive, ~50 µs of a ~200 µs request floor; bench/RESULTS.md). Most responses
carry no per-view change and no nonce, so their header is always the same string: it is built once, by
django-csp's own `build_policy`, and rebuilt when a test changes the settings. A response with a view's
`csp_update` / `csp_replace` / `csp` decorator, or a request that used its nonce, goes through django-csp
unchanged.
"""

from __future__ import annotations

import functools
import http.client
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_CODES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


@functools.cache
def _policies() -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    """The header and the report-only header of a plain response, with their excluded path prefixes."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
    return (
        build_policy(),
        tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ()),
        build_policy(report_only=True),
        tuple(policy_ro.get("EXCLUDE_URL_PREFIXES", None) or ()),
    )


def _settings_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="config.csp.settings_changed")


class CachedCSPMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, attr, None) is not None for attr in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_CODES and settings.DEBUG:
            return response
        csp, prefixes, csp_ro, prefixes_ro = _policies()
        path = request.path_info
        if (
            csp
            and HEADER not in response
            and getattr(response, "_csp_exempt", False) is False
            and not path.startswith(prefixes)
        ):
            response[HEADER] = csp
        if (
            csp_ro
            and HEADER_REPORT_ONLY not in response
            and getattr(response, "_csp_exempt_ro", False) is False
            and not path.startswith(prefixes_ro)
        ):
            response[HEADER_REPORT_ONLY] = csp_ro
        # As django-csp: the nonce may not be asked for once the header is written.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
