from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织与党员"
    default_auto_field = "django.db.models.BigAutoField"
