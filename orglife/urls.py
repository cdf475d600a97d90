from django.urls import include, path

from orglife import views_patrol, views_records, views_scores, views_stats

app_name = "orglife"
urlpatterns: list = [
    path("records/", include(views_records.urlpatterns)),
    path("scores/", include(views_scores.urlpatterns)),
    path("stats/", include(views_stats.urlpatterns)),
    path("patrol/", include(views_patrol.urlpatterns)),
]
