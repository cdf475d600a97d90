from django.urls import include, path

from orglife import views_records

app_name = "orglife"
urlpatterns: list = [
    path("records/", include(views_records.urlpatterns)),
]
