from django.urls import include, path

from development.views import discipline, dossier, notices, pipeline, quotas

app_name = "development"
urlpatterns: list = [
    path("", include(notices.urlpatterns)),  # before pipeline's <pk>/<step>/
    path("", include(pipeline.urlpatterns)),
    path("", include(discipline.urlpatterns)),
    path("", include(dossier.urlpatterns)),
    path("", include(quotas.urlpatterns)),
]
