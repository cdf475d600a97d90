from django.urls import include, path

from orglife.views import patrol, photos, plans, records, rules, scores, stats

app_name = "orglife"
urlpatterns: list = [
    path("rules/", include(rules.urlpatterns)),
    path("plans/", include(plans.urlpatterns)),
    path("records/", include(records.urlpatterns)),
    path("records/", include(photos.record_urlpatterns)),
    path("photos/", include(photos.urlpatterns)),
    path("stats/", include(stats.urlpatterns)),
    path("patrol/", include(patrol.urlpatterns)),
    path("scores/", include(scores.urlpatterns)),
]
