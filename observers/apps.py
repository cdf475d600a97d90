from django.apps import AppConfig


class ObserversConfig(AppConfig):
    name = "observers"
    verbose_name = "组织生活观察员"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from observers.signals import connect_signals

        connect_signals()
