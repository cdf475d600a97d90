"""orglife.rules.rulesets_for: the rule set of every month in one query, the same as ruleset_for month by month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orglife.models import MeetingRule, RuleSet
from orglife.rules import ruleset_for, rulesets_for

pytestmark = pytest.mark.django_db


def test_each_month_gets_the_rule_set_in_force_with_its_rules(django_assert_num_queries: Any) -> None:
    base = ruleset_for(dt.date(2030, 1, 1))
    empty = RuleSet.objects.create(effective_from=dt.date(2030, 6, 1))  # a version without rules
    later = RuleSet.objects.create(effective_from=dt.date(2030, 9, 1))
    MeetingRule.objects.create(ruleset=later, meeting_type="branch_assembly", period="quarter", min_count=2)
    months = [dt.date(2030, m, 15) for m in (5, 6, 7, 9, 12)]
    with django_assert_num_queries(1):
        found = rulesets_for(months)
        rules = {
            month: [(r.meeting_type, r.min_count) for r in rs.rules.all()] for month, rs in found.items()
        }
    for month in months:
        first = month.replace(day=1)
        expected = ruleset_for(month)
        assert found[first].pk == expected.pk
        assert rules[first] == [(r.meeting_type, r.min_count) for r in expected.rules.all()]
    assert found[dt.date(2030, 5, 1)].pk == base.pk and found[dt.date(2030, 6, 1)].pk == empty.pk
    assert rules[dt.date(2030, 9, 1)] == [("branch_assembly", 2)]


def test_a_month_before_every_rule_set_is_refused_as_ruleset_for_does() -> None:
    with pytest.raises(RuleSet.DoesNotExist):
        rulesets_for([dt.date(1990, 1, 1)])
