from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "orglife"
    verbose_name = "组织生活"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orglife.models import MeetingRule, RuleSet
        from orgs.reference import bump_on_change

        bump_on_change(
            RuleSet, MeetingRule
        )  # rulesets_for and ruleset_for are kept in memory (orglife.rules)
