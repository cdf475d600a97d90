from django.urls import path

from home import assets, views

app_name = "home"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("side/", views.side, name="side"),
    path("favicon.ico", assets.favicon, name="favicon"),
    path("manifest.webmanifest", assets.manifest, name="manifest"),
    path("sw.js", assets.service_worker, name="service_worker"),
    path("offline/", assets.offline, name="offline"),
]
