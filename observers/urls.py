from django.urls import include, path

from observers import views_assessment, views_observe, views_planner, views_roster, views_selection

app_name = "observers"
urlpatterns: list = [
    path("observe/", include(views_observe.urlpatterns)),
    path("assessment/", include(views_assessment.urlpatterns)),
    path("", include(views_selection.urlpatterns)),
    path("", include(views_roster.urlpatterns)),
    path("", include(views_planner.urlpatterns)),
]
