from django.urls import include, path

from observers import api_observe, api_selection

urlpatterns: list = [
    path("", include(api_observe.urlpatterns)),
    path("", include(api_selection.urlpatterns)),
]
