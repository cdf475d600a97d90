from django.urls import path

from development.api.pipeline import DueListView, router

urlpatterns: list = [*router.urls, path("dues/", DueListView.as_view(), name="api-development-due-list")]
