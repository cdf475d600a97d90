from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "学习积分"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.reference import bump_on_change
        from points.models import Block, Catalogue, RuleVersion

        bump_on_change(
            Catalogue, RuleVersion, Block
        )  # the version in force with its blocks (selectors.totals)
