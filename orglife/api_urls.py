from django.urls import include, path

from orglife import api_plans

urlpatterns: list = [
    path("", include(api_plans.urlpatterns)),
]
