from django.apps import AppConfig

from points.sections import add_file_section


class LearningConfig(AppConfig):
    """学习教育: 微党课, training records and each member's yearly 学时 account (RULES §7)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = "学习教育"

    def ready(self) -> None:
        # The member's 一人一档 (points, below us) shows 学时, videos and 一人一册 through points.sections.
        from learning.selectors.profile import member_sections

        add_file_section("learning", member_sections)
