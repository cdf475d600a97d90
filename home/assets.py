"""Files a browser asks for at fixed addresses outside /static/: the favicon (asked on every new session,
whatever the page says), the web app manifest, the service worker (at the root, so it controls every page)
and the offline page it falls back to.

The service worker caches the shell: the static files every page loads, and the offline page. Its cache
name carries a version made from those files' contents, so a deploy that changes any of them changes the
worker's bytes, the browser installs the new worker on the next load, and the old cache is dropped.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

STATIC = settings.BASE_DIR / "static"
ICONS = STATIC / "icons"
# Every page loads these (templates/base.html); the worker keeps them for offline use.
SHELL = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "css/xianfeng.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/xianfeng.js",
    "js/outbox.js",
    "js/record-draft.js",
    "icons/favicon.ico",
    "icons/icon-192.png",
)
THEME = "#c8161d"


@require_GET
@cache_control(public=True, max_age=7 * 86400)
def favicon(request: HttpRequest) -> FileResponse:
    return FileResponse((ICONS / "favicon.ico").open("rb"), content_type="image/x-icon")


@cache
def shell_version() -> str:
    """A digest of the shell files' contents (read once per process: a deploy restarts the processes)."""
    digest = hashlib.sha256()
    for name in SHELL:
        digest.update(name.encode())
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "先锋智慧党建",
        "short_name": "先锋党建",
        "lang": "zh-CN",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": "#f4f5f7",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/maskable-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True)  # the browser checks for a new worker on every load
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": shell_version(),
        "shell": json.dumps([static(name) for name in SHELL]),
        "offline": json.dumps("/offline/"),
        # Pages that work without a network: the worker keeps the last copy it fetched of each.
        "offline_pages": json.dumps([reverse("orglife:record_create")]),
        "static_prefix": json.dumps(static("")),
    }
    response = render(request, "home/sw.js", context, content_type="text/javascript; charset=utf-8")
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows when a page cannot be fetched: nothing personal, so it may be cached."""
    return render(request, "home/offline.html")
