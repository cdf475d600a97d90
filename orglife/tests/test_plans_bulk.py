"""The plans' bulk path (imports, the demo): the single-row rules, for a whole batch."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orglife.models import MeetingType, MonthlyPlan, PlanEvent
from orglife.services.plans import NewPlan, PlanItemData, add_plans
from orglife.services.rollups import differences
from orglife.tests.plan_fixtures import SHANGHAI, filled

DEC = dt.date(2026, 12, 1)
ON_TIME = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
LATE = dt.datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)


def approved(org, submitted=ON_TIME, items=None):
    reviewed = submitted + dt.timedelta(days=1)
    plan = NewPlan(org, DEC, MonthlyPlan.Status.APPROVED, items or filled(org, DEC), submitted, submitted)
    plan.reviewed_at = reviewed
    plan.events = [("created", {}, submitted), ("submitted", {}, submitted), ("approved", {}, reviewed)]
    return plan


def test_a_batch_is_written_in_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    plans = [approved(cast.branch_a1), approved(cast.branch_a2, LATE), approved(cast.branch_b1)]
    # 12 for the plans; the late plan's rollup sync adds a fixed 5 (own rows, late plans, stored rollups,
    # ancestors, one upsert per 200 rows) however many plans.
    with django_assert_max_num_queries(17):
        written = add_plans(plans=plans)
    assert [p.is_late for p, _ in written] == [False, True, False]
    assert differences() == []  # the completion pages count the late plan
    assert all(items and all(i.pk for i in items) for _, items in written)
    assert any(i.required for _, items in written for i in items)
    assert PlanEvent.objects.count() == 9


def test_a_submitted_plan_with_an_unfinished_item_is_refused_like_submit_plan(cast):
    items = filled(cast.branch_a1, DEC)
    items[0].place = ""
    with pytest.raises(ValidationError, match="地点"):
        add_plans(plans=[approved(cast.branch_a1, items=items)])
    assert not MonthlyPlan.objects.exists()


def test_the_soft_rules_missed_are_the_submission_warnings(cast):
    items = [i for i in filled(cast.branch_a1, DEC) if i.meeting_type != MeetingType.THEME_DAY]
    add_plans(plans=[approved(cast.branch_a1, items=items)])
    (event,) = PlanEvent.objects.filter(action="submitted")
    assert any("主题党日" in w for w in event.payload["warnings"])


def test_shape_rules_and_status_facts_are_checked(cast):
    foreign = filled(cast.branch_a1, DEC) + [
        PlanItemData(MeetingType.GROUP, group=cast.group_a1, planned_on=DEC)
    ]
    no_review = approved(cast.branch_a2)
    no_review.reviewed_at = None
    with pytest.raises(ValidationError) as e:
        add_plans(plans=[approved(cast.branch_b1, items=foreign), no_review, approved(cast.committee_a)])
    text = " ".join(e.value.messages)
    assert "不属于本支部" in text and "审核时间与状态不符" in text and "只有党支部" in text


def test_a_branch_month_that_already_has_a_plan_is_refused(cast):
    add_plans(plans=[approved(cast.branch_a1)])
    with pytest.raises(ValidationError, match="已经存在"):
        add_plans(plans=[approved(cast.branch_a1)])
