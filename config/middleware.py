"""Django's locale and messages middleware without the work a request does not need (same behaviour).

Measured on the request floor (bench/RESULTS.md, issue 16): Django's LocaleMiddleware tries the first path
segment as a language code twice per request ("bench-hello", "orglife"…: a miss raises and is not cached)
and re-parses the Vary header, and MessageMiddleware builds the cookie and session message stores on
every request — together ~50 µs of a ~170 µs anonymous request, for pages that show no message.

- LocaleMiddleware: with no `i18n_patterns` in the URLconf (this project has none), the language in the
  path never changes the outcome in Django's own code, so it is not looked up; with them, Django's
  middleware runs unchanged. The language still comes from the cookie or Accept-Language header.
- MessageMiddleware: the storage is built when first used (adding a message, the template context's
  `messages` being read); a storage never built was neither read nor added to, and Django's
  `update(response)` on such a storage stores nothing, so it is skipped.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty


def _prefix_patterns_used(request: HttpRequest) -> bool:
    return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if _prefix_patterns_used(request):
            return super().process_request(request)  # type: ignore[no-any-return]
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        if _prefix_patterns_used(request):
            return super().process_response(request, response)
        if "Vary" in response:
            patch_vary_headers(response, ("Accept-Language",))
        else:  # what patch_vary_headers writes on a response without a Vary header
            response.headers["Vary"] = "Accept-Language"
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never built: nothing read, nothing added, nothing to store
        return super().process_response(request, response)
