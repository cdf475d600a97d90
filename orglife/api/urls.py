from django.urls import include, path

from orglife.api import patrol, plans, records, scores, stats

urlpatterns: list = [
    path("", include(plans.urlpatterns)),
    path("", include(records.urlpatterns)),
    path("", include(stats.urlpatterns)),
    path("", include(patrol.urlpatterns)),
    path("", include(scores.urlpatterns)),
]
