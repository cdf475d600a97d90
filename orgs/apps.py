from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织与党员"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.models import Organization
        from orgs.reference import bump_on_change

        bump_on_change(Organization)  # the branches and 党小组 a user keeps (home) are kept in memory
