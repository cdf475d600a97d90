"""The audit trail in the admin: viewing and searching only, by the audit administrator only (三员分立).

The database refuses changes anyway (triggers), whoever asks.
"""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from audit.models import AuditEvent
from audit.selectors import audit_paths


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "ip", "action", "target_type", "target_repr", "org_path"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target_repr"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Not even a superuser: only the 审计管理员 reads the full trail (audit.selectors).
        return audit_paths(request.user) is None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
