from django.urls import include, path

from orglife import api_patrol, api_plans, api_records, api_scores, api_stats

urlpatterns: list = [
    path("", include(api_plans.urlpatterns)),
    path("", include(api_records.urlpatterns)),
    path("", include(api_stats.urlpatterns)),
    path("", include(api_patrol.urlpatterns)),
    path("", include(api_scores.urlpatterns)),
]
