"""A bare Django project in one module (the baseline of bench/bench_floor.py): no apps, no middleware,
one view."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor_bare"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [path("bench-hello/", hello)]
