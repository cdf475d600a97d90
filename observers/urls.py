from django.urls import include, path

from observers.views import assessment, observe, planner, roster, selection

app_name = "observers"
urlpatterns: list = [
    path("observe/", include(observe.urlpatterns)),
    path("assessment/", include(assessment.urlpatterns)),
    path("", include(selection.urlpatterns)),
    path("", include(roster.urlpatterns)),
    path("", include(planner.urlpatterns)),
]
