from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计留痕"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import checks  # noqa: F401  (registers the system checks)
