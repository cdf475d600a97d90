"""What orglife's writes tell the rest of the site: a rule set or rule saved or deleted bumps the reference
data's version (orgs.reference), since rulesets_for and ruleset_for are kept in each process's memory."""

from orglife.models import MeetingRule, RuleSet
from orgs.reference import bump_on_change


def connect_signals() -> None:
    bump_on_change(RuleSet, MeetingRule)
