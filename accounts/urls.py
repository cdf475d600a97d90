from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/change/", views.password_change, name="password_change"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/", views.otp_status, name="otp_status"),
    path("tokens/revoke/", views.token_revoke_all, name="token_revoke_all"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("security/", views.security_admin, name="security_admin"),
]

# 审计日志 keeps its own address and URL namespace (/audit/, "audit:event_list"): config.urls mounts it.
audit_urlpatterns = [path("", views.audit_log, name="event_list")]
