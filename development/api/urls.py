from django.urls import path

from development.api.notices import ObjectionResolveView, PersonObjectionsView
from development.api.pipeline import DueListView, router

urlpatterns: list = [
    *router.urls,
    path("dues/", DueListView.as_view(), name="api-development-due-list"),
    path("people/<int:pk>/objections/", PersonObjectionsView.as_view(), name="api-development-objections"),
    path(
        "objections/<int:pk>/resolve/",
        ObjectionResolveView.as_view(),
        name="api-development-objection-resolve",
    ),
]
