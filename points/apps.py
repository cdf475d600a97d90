from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "学习积分"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from points.signals import connect_signals

        connect_signals()
