from django.urls import include, path

from observers.api import observe, selection

urlpatterns: list = [
    path("", include(observe.urlpatterns)),
    path("", include(selection.urlpatterns)),
]
