"""Files a browser asks for at fixed addresses outside /static/: the favicon (asked on every new session,
whatever the page says), the web app manifest, the service worker (at the root, so it controls every page)
and the offline page it falls back to.

The service worker caches the shell: the static files every page loads, and the offline page. Its cache
name carries a version made from those files' contents, so a deploy that changes any of them changes the
worker's bytes, the browser installs the new worker on the next load, and the old cache is dropped. The
version follows the files on disk, not the process: a deploy that only replaces static files (no restart)
is picked up too.
"""

from __future__ import annotations

import hashlib
import json
import threading

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.webguard import PAGE_KEY_COOKIE, PAGE_KEY_HEADER

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


_version_lock = threading.Lock()
_version: tuple[object, str] | None = None  # (the files' signature, the digest of their contents)


def _signature() -> tuple[object, ...]:
    """What changes when a shell file is replaced: its modification time and size (one stat per file)."""
    stats = ((STATIC / name).stat() for name in SHELL)
    return (str(STATIC), *((s.st_mtime_ns, s.st_size) for s in stats))


def shell_version() -> str:
    """A digest of the shell files' contents, as they are on disk now. Each call costs a stat per file; the
    files are read again only when one of them has a new modification time or size (a deploy)."""
    global _version
    signature = _signature()
    known = _version
    if known is not None and known[0] == signature:
        return known[1]
    with _version_lock:
        digest = hashlib.sha256()
        for name in SHELL:
            digest.update(name.encode())
            digest.update((STATIC / name).read_bytes())
        _version = (signature, digest.hexdigest()[:12])
        return _version[1]


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
        # The phone's daily pages: the worker keeps this login's last copy of each (the view allows it,
        # accounts.webguard.allow_device_copy), shows it at once on the next visit and offline, and fetches
        # the fresh page at the same time.
        "copy_pages": json.dumps([reverse("home:dashboard"), reverse("orglife:record_create")]),
        "key_cookie": json.dumps(PAGE_KEY_COOKIE),
        "key_header": json.dumps(PAGE_KEY_HEADER),
        # A copy older than the idle timeout is not shown while online (the session it came from is over).
        "copy_max_age_ms": settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 * 1000,
        "static_prefix": json.dumps(static("")),
    }
    response = render(request, "home/sw.js", context, content_type="text/javascript; charset=utf-8")
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows when a page cannot be fetched: nothing personal, so it may be cached."""
    return render(request, "home/offline.html")
