from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.urls import audit_urlpatterns

urlpatterns = [
    path("", include("home.urls")),
    path("", include("orgs.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include((audit_urlpatterns, "audit"))),
    path("orglife/", include("orglife.urls")),
    path("points/", include("points.urls")),
    path("learning/", include("learning.urls")),
    path("observers/", include("observers.urls")),
    path("development/", include("development.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's initialiser as a separate script (CSP: no inline scripts); Redoc's search runs in a blob: worker.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    path("admin/", admin.site.urls),
]
