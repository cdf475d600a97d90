from django.urls import path

from accounts.api import TokenView

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
