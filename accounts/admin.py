"""Admin for users, role grants and (read-only) login attempts. Changes made here are audited too."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import LoginAttempt, User
from accounts.selectors import audit_paths
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import forget_scope, is_security_admin
from orgs.models import RoleGrant


def _grants_roles(request: HttpRequest) -> bool:
    """三员: only the security administrator grants and revokes roles, here as on the user pages; a
    superuser (a system administrator) sees grants read-only."""
    return bool(request.user.is_staff and is_security_admin(request.user))


class _SecurityAdminWrites:
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _grants_roles(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _grants_roles(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _grants_roles(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser or _grants_roles(request))


class RoleGrantInline(_SecurityAdminWrites, admin.TabularInline):
    model = RoleGrant
    extra = 0
    raw_id_fields = ["org"]
    fields = ["role", "org", "position", "created_at"]
    readonly_fields = ["position", "created_at"]


def _audit_grants(request: HttpRequest, formset: Any) -> None:
    for grant in formset.new_objects:
        record_event(
            actor=request.user,
            action=AuditEvent.Action.GRANT,
            target=grant.user,
            org=grant.org,
            summary={"role": grant.role, "via": "admin"},
        )
    for grant, changed in formset.changed_objects:
        record_event(
            actor=request.user,
            action=AuditEvent.Action.GRANT,
            target=grant.user,
            org=grant.org,
            summary={"role": grant.role, "changed": changed, "via": "admin"},
        )
    for grant in formset.deleted_objects:
        record_event(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            target=grant,
            org=grant.org,
            summary={"role": grant.role, "via": "admin"},
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "is_active",
        "is_superuser",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["is_active", "is_superuser", "must_change_password", "grants__role"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["member"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "member", "email")}),
        ("状态", {"fields": ("is_active", "must_change_password", "is_staff", "is_superuser")}),
        ("权限", {"fields": ("groups", "user_permissions"), "classes": ("collapse",)}),
        ("时间", {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: BaseModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = [f for f in form.changed_data if f not in {"password", "password1", "password2"}]
        record_event(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            summary={"fields": changed, "via": "admin"},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is RoleGrant:
            _audit_grants(request, formset)
            forget_scope(form.instance)


@admin.register(RoleGrant)
class RoleGrantAdmin(_SecurityAdminWrites, admin.ModelAdmin):
    list_display = ["user", "role", "org", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "org__name"]
    raw_id_fields = ["user", "org"]
    readonly_fields = ["position"]
    list_select_related = ["user", "org"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: BaseModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action=AuditEvent.Action.GRANT,
            target=obj.user,
            org=obj.org,
            summary={"role": obj.role, "via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_event(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            target=obj,
            org=obj.org,
            summary={"role": obj.role, "via": "admin"},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset.select_related("user", "org"):
            self.delete_model(request, obj)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "username", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def _login_through_xianfeng(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # The admin's own login form would skip the lockout and two-factor authentication: send it to ours.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


admin.site.login = _login_through_xianfeng  # type: ignore[method-assign]


# The audit trail in the admin: viewing and searching only, by the audit administrator only (三员分立).
# The database refuses changes anyway (triggers), whoever asks.
@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "ip", "action", "target_type", "target_repr", "org_path"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target_repr"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Not even a superuser: only the 审计管理员 reads the full trail (accounts.selectors).
        return audit_paths(request.user) is None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
