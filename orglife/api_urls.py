from django.urls import include, path

from orglife import api_records

urlpatterns: list = [
    path("", include(api_records.urlpatterns)),
]
