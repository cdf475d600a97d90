from django.urls import include, path

from orglife import views_patrol, views_plans, views_records, views_rules, views_scores, views_stats

app_name = "orglife"
urlpatterns: list = [
    path("rules/", include(views_rules.urlpatterns)),
    path("plans/", include(views_plans.urlpatterns)),
    path("records/", include(views_records.urlpatterns)),
    path("stats/", include(views_stats.urlpatterns)),
    path("patrol/", include(views_patrol.urlpatterns)),
    path("scores/", include(views_scores.urlpatterns)),
]
