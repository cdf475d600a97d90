from django.urls import include, path

from orglife import views_records, views_scores

app_name = "orglife"
urlpatterns: list = [
    path("records/", include(views_records.urlpatterns)),
    path("scores/", include(views_scores.urlpatterns)),
]
