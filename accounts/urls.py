from django.urls import path

from accounts.views import auth as views
from accounts.views import provisioning, users

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
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", users.user_active, name="user_active"),
    path("users/<int:pk>/password/", users.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/grant/", users.user_grant, name="user_grant"),
    path("grants/<int:pk>/revoke/", users.grant_revoke, name="grant_revoke"),
    path("provisioning/", provisioning.run_list, name="provision_list"),
    path("provisioning/<int:pk>/", provisioning.run_detail, name="provision_detail"),
    path("provisioning/<int:pk>/slips.pdf", provisioning.run_slips, name="provision_slips_pdf"),
]

# 审计日志 keeps its own address and URL namespace (/audit/, "audit:event_list"): config.urls mounts it.
audit_urlpatterns = [path("", views.audit_log, name="event_list")]
