"""The product's URLs and /bench-hello/ (bench/bench_floor.py), /bench-hello-user/ (bench_learning_video.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


@login_required
def hello_user(request: HttpRequest) -> HttpResponse:
    """A logged-in hello: the session and the user read (login_required), as any authenticated endpoint."""
    return HttpResponse(f"hello {request.user.pk}")


urlpatterns = [
    path("bench-hello/", hello),
    path("bench-hello-user/", hello_user),
    path("", include("config.urls")),
]
