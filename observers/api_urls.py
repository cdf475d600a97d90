from django.urls import include, path

from observers import api_observe

urlpatterns: list = [
    path("", include(api_observe.urlpatterns)),
]
