"""The product's URLs and /bench-hello/ (bench/bench_floor.py), /bench-hello-user/ (bench_learning_video.py)."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


@login_required
def hello_user(request: HttpRequest) -> HttpResponse:
    """A logged-in hello: the session and the user read (login_required), as any authenticated endpoint."""
    return HttpResponse(f"hello {request.user.pk}")


def plain_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """A minimal file view with single byte ranges (bench_learning_video.py --ranges): no login, no access
    check, the bytes read whole into the response — what a plain static file server does, as a Django view."""
    path = Path(settings.MEDIA_ROOT) / "learning" / "videos" / Path(name).name
    size = path.stat().st_size
    match = re.match(r"^bytes=(\d+)-(\d*)$", request.headers.get("Range", ""))
    if match is None:
        return FileResponse(path.open("rb"), content_type="video/mp4")
    start = int(match.group(1))
    end = min(int(match.group(2) or size - 1), size - 1)
    with path.open("rb") as f:
        f.seek(start)
        response = HttpResponse(f.read(end - start + 1), status=206, content_type="video/mp4")
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


urlpatterns = [
    path("bench-hello/", hello),
    path("bench-hello-user/", hello_user),
    path("bench-file/<str:name>", plain_file),
    path("", include("config.urls")),
]
