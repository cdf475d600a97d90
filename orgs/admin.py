"""Read-only admin views: writes go through the services (and the audit trail), never the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from orgs.models import Member, Organization, Position


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "unit_category", "secretary_name", "contact_phone_masked"]
    list_filter = ["kind", "unit_category"]
    search_fields = ["name", "short_name", "code"]
    exclude = ["contact_phone_enc"]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "id_number_masked", "phone_masked", "category", "status", "org"]
    list_filter = ["category", "status", "gender"]
    search_fields = ["name"]
    list_select_related = ["org"]
    exclude = ["id_number_enc", "id_number_hash", "phone_enc", "phone_hash"]
    readonly_fields = ["id_number_masked", "phone_masked"]
    raw_id_fields = ["org", "party_group"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.has_perm("orgs.unmask_member"):
            exclude.append("birth_date")  # beside the masked ID number it would give most of it back
        return exclude


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["member", "org", "title", "started_on", "ended_on"]
    list_filter = ["title"]
    list_select_related = ["member", "org"]
    raw_id_fields = ["member", "org"]
