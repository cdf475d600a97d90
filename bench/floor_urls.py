"""The product's URLs and /bench-hello/ (bench/bench_floor.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [path("bench-hello/", hello), path("", include("config.urls"))]
