from django.urls import include, path

from observers import views_assessment, views_observe

app_name = "observers"
urlpatterns: list = [
    path("observe/", include(views_observe.urlpatterns)),
    path("assessment/", include(views_assessment.urlpatterns)),
]
