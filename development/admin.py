from django.contrib import admin

from development.models import Person, Step
from orgs.models import Discipline


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "stage", "applied_on"]
    list_filter = ["stage"]
    search_fields = ["name"]
    readonly_fields = [f.name for f in Person._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # the pipeline's services write; the admin reads

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["person", "action", "on", "backdate_reason"]
    readonly_fields = ["person", "action", "on", "note", "backdate_reason", "actor", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["member", "starts_on", "ends_on", "note"]
    readonly_fields = ["member", "starts_on", "ends_on", "note"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
