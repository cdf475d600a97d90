"""Every app's API under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("orgs.api_urls")),
    path("orglife/", include("orglife.api.urls")),
    path("points/", include("points.api_urls")),
    path("observers/", include("observers.api_urls")),
    path("development/", include("development.api.urls")),
    path("learning/", include("learning.api")),
    path("quizzes/", include("quizzes.api_urls")),
    path("bulletins/", include("bulletins.api_urls")),
]
