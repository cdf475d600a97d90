from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "orglife"
    verbose_name = "组织生活"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orglife.signals import connect_signals

        connect_signals()
