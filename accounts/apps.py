from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The rate limiter's DatabaseCache table (xianfeng_cache) exists wherever `migrate` has run."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.context import connect_signals

        connect_signals()
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="accounts.cache_table")
