from django.urls import include, path

from orglife.api import patrol, photos, plans, records, scores, stats, uploads

urlpatterns: list = [
    path("", include(plans.urlpatterns)),
    path("", include(records.urlpatterns)),
    path("", include(uploads.urlpatterns)),
    path("", include(stats.urlpatterns)),
    path("", include(patrol.urlpatterns)),
    path("", include(scores.urlpatterns)),
    path("", include(photos.urlpatterns)),
]
