from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = "信息报送"
    default_auto_field = "django.db.models.BigAutoField"
