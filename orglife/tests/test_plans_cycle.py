"""The plan cycle: the 提示单, filing window, submit, approve, return and resubmit, lateness."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from conftest import make_org, make_user
from orglife.models import CompletionStat, MeetingRecord, MeetingType, MonthlyPlan
from orglife.services.plans import (
    PlanItemData,
    approve_plan,
    can_review,
    create_plan,
    prompt_items,
    return_plan,
    submit_plan,
    update_plan,
)
from orglife.tests.plan_fixtures import SHANGHAI, at, filled
from orglife.tests.test_rules import new_version
from orgs.roles import Role

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
T = MeetingType


def filed(cast, org=None, month=DEC, user=None):
    org = org or cast.branch_a1
    return create_plan(actor=user or cast.secretary, org=org, month=month, items=filled(org, month))


def actions(plan):
    return list(plan.events.values_list("action", flat=True))


# ---------------------------------------------------------------- the 提示单


def test_the_prompt_lists_one_item_per_requirement_of_the_month(cast):
    with at(2026, 10, 20):
        items = prompt_items(cast.branch_a1, NOV)
    required = [(i.meeting_type, i.group) for i in items if i.required]
    assert required == [(T.COMMITTEE, None), (T.GROUP, cast.group_a1), (T.THEME_DAY, None)]
    optional = {i.meeting_type for i in items if not i.required}
    assert optional == {T.GENERAL_ASSEMBLY, T.LECTURE, T.ORG_LIFE, T.APPRAISAL, T.TALKS}


def test_in_the_last_month_of_a_quarter_the_quarterly_items_are_required(cast):
    with at(2026, 11, 20):
        items = prompt_items(cast.branch_a2, DEC)
    assert all(i.required for i in items)
    assert {i.meeting_type for i in items} == {
        T.GENERAL_ASSEMBLY,
        T.LECTURE,
        T.THEME_DAY,
        T.ORG_LIFE,
        T.APPRAISAL,
        T.TALKS,
    }


def test_a_quarterly_meeting_already_held_leaves_the_prompt(cast):
    MeetingRecord.objects.create(
        org=cast.branch_a2,
        meeting_type=T.GENERAL_ASSEMBLY,
        month=dt.date(2026, 10, 1),
        topic="党员大会",
        started_at=dt.datetime(2026, 10, 9, 9, tzinfo=SHANGHAI),
        ended_at=dt.datetime(2026, 10, 9, 11, tzinfo=SHANGHAI),
        place="会议室",
        host_name="甲",
        recorder_name="乙",
        content="内容",
        status=MeetingRecord.Status.APPROVED,
    )
    with at(2026, 11, 20):
        types = [i.meeting_type for i in prompt_items(cast.branch_a2, DEC)]
    assert T.GENERAL_ASSEMBLY not in types and T.LECTURE in types


def test_the_theme_day_item_is_dated_on_the_fixed_day(cast):
    with at(2026, 11, 10):
        new_version(cast.dept_admin, theme_day_of_month=15)
        theme = [i for i in prompt_items(cast.branch_a1, DEC) if i.meeting_type == T.THEME_DAY]
    assert [i.planned_on for i in theme] == [dt.date(2026, 12, 15)]


# ---------------------------------------------------------------- window and lateness


def test_a_plan_cannot_be_filed_before_the_first_of_the_month_before(cast):
    with at(2026, 10, 31, 23, 59), pytest.raises(ValidationError, match="起报送"):
        filed(cast)
    assert not MonthlyPlan.objects.exists()


def test_a_plan_filed_by_2359_on_the_25th_is_on_time(cast):
    with at(2026, 11, 1, 0, 0):
        plan = filed(cast)
    with at(2026, 11, 25, 23, 59):
        submit_plan(actor=cast.secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.SUBMITTED and not plan.is_late


def test_a_plan_filed_at_midnight_on_the_26th_is_late_but_accepted(cast):
    with at(2026, 11, 20):
        plan = filed(cast)
    with at(2026, 11, 26, 0, 0):
        submit_plan(actor=cast.secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.SUBMITTED and plan.is_late
    assert plan.events.get(action="submitted").payload["late"] is True


def test_lateness_follows_shanghai_time_not_utc(cast):
    import time_machine

    with at(2026, 11, 20):
        on_time, late = filed(cast), filed(cast, cast.branch_a2, user=cast.committee_admin)
    with time_machine.travel(dt.datetime(2026, 11, 25, 15, 59, 59, tzinfo=dt.UTC), tick=False):
        submit_plan(actor=cast.secretary, plan=on_time)
    with time_machine.travel(dt.datetime(2026, 11, 25, 16, 0, 0, tzinfo=dt.UTC), tick=False):
        submit_plan(actor=cast.committee_admin, plan=late)
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert not on_time.is_late and late.is_late


def test_the_deadline_day_is_a_setting(cast):
    with at(2026, 10, 10):
        new_version(cast.dept_admin, month=NOV, plan_deadline_day=20)
    with at(2026, 11, 21):
        plan = filed(cast)
        submit_plan(actor=cast.secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.is_late


def test_a_plan_for_a_month_that_is_over_is_refused(cast):
    with at(2027, 1, 2), pytest.raises(ValidationError, match="已经结束"):
        filed(cast)


def test_a_second_plan_for_the_same_month_is_refused(cast):
    with at(2026, 11, 10):
        filed(cast)
        with pytest.raises(ValidationError, match="已经存在"):
            filed(cast)


# ---------------------------------------------------------------- contents


def test_required_flags_are_recomputed_not_taken_from_the_input(cast):
    items = [PlanItemData(T.LECTURE, required=True), PlanItemData(T.THEME_DAY, required=False)]
    with at(2026, 10, 10):
        plan = create_plan(actor=cast.secretary, org=cast.branch_a1, month=NOV, items=items)
    assert dict(plan.items.values_list("meeting_type", "required")) == {T.LECTURE: False, T.THEME_DAY: True}


def test_removing_a_required_item_warns_but_still_submits(cast):
    with at(2026, 11, 10):
        items = [i for i in filled(cast.branch_a1, DEC) if i.meeting_type != T.THEME_DAY]
        plan = create_plan(actor=cast.secretary, org=cast.branch_a1, month=DEC, items=items)
        warnings = submit_plan(actor=cast.secretary, plan=plan)
    assert any("主题党日" in w for w in warnings)
    assert MonthlyPlan.objects.get(pk=plan.pk).status == MonthlyPlan.Status.SUBMITTED


def test_an_incomplete_plan_cannot_be_submitted(cast):
    with at(2026, 11, 10):
        plan = create_plan(
            actor=cast.secretary, org=cast.branch_a1, month=DEC, items=prompt_items(cast.branch_a1, DEC)
        )
        with pytest.raises(ValidationError, match="未填写"):
            submit_plan(actor=cast.secretary, plan=plan)
    assert MonthlyPlan.objects.get(pk=plan.pk).status == MonthlyPlan.Status.DRAFT


def test_a_lecture_needs_its_lecturer(cast):
    with at(2026, 11, 10):
        items = filled(cast.branch_a1, DEC)
        next(i for i in items if i.meeting_type == T.LECTURE).lecturer_name = ""
        plan = create_plan(actor=cast.secretary, org=cast.branch_a1, month=DEC, items=items)
        with pytest.raises(ValidationError, match="党课主讲人"):
            submit_plan(actor=cast.secretary, plan=plan)


def test_items_must_fall_in_the_month_and_use_the_branchs_own_groups(cast):
    other_group = make_org(cast.branch_b1, "外支部小组", "group", "G0009")
    with at(2026, 11, 10):
        for item in (
            PlanItemData(T.THEME_DAY, planned_on=dt.date(2027, 1, 3)),
            PlanItemData(T.GROUP, group=other_group),
            PlanItemData(T.GROUP),
        ):
            with pytest.raises(ValidationError):
                create_plan(actor=cast.secretary, org=cast.branch_a1, month=DEC, items=[item])


# ---------------------------------------------------------------- review


def test_the_committee_approves_and_the_stats_count_the_planned_meetings(cast):
    with at(2026, 11, 10):
        plan = filed(cast)
        submit_plan(actor=cast.secretary, plan=plan)
        approve_plan(actor=cast.committee_admin, plan=plan)
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.APPROVED and plan.reviewed_by == cast.committee_admin
    assert actions(plan) == ["created", "submitted", "approved"]
    planned = CompletionStat.objects.get(org=cast.branch_a1, month=DEC, meeting_type=T.COMMITTEE).planned
    assert planned == 1
    steps = AuditEvent.objects.filter(target_type="orglife.MonthlyPlan").values_list(
        "summary__step", flat=True
    )
    assert sorted(steps) == ["approve", "create", "submit"]


def test_return_resubmit_approve(cast):
    with at(2026, 11, 10):
        plan = filed(cast)
        submit_plan(actor=cast.secretary, plan=plan)
        with pytest.raises(ValidationError, match="退回原因"):
            return_plan(actor=cast.committee_admin, plan=plan, reason="  ")
        return_plan(actor=cast.committee_admin, plan=plan, reason="党课主题不明确")
        plan.refresh_from_db()
        assert plan.status == MonthlyPlan.Status.RETURNED and plan.return_reason == "党课主题不明确"
        items = filled(cast.branch_a1, DEC)
        next(i for i in items if i.meeting_type == T.LECTURE).topic = "学习党的二十届四中全会精神"
        update_plan(actor=cast.secretary, plan=plan, items=items)
    with at(2026, 11, 27):
        submit_plan(actor=cast.secretary, plan=plan)
        approve_plan(actor=cast.committee_admin, plan=plan)
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.APPROVED and plan.return_reason == ""
    assert not plan.is_late  # first filed on time; the resubmission after a return keeps that
    assert actions(plan) == ["created", "submitted", "returned", "edited", "resubmitted", "approved"]
    assert plan.events.get(action="returned").payload == {"reason": "党课主题不明确"}


def test_a_submitted_or_approved_plan_cannot_be_edited_or_reviewed_twice(cast):
    with at(2026, 11, 10):
        plan = filed(cast)
        submit_plan(actor=cast.secretary, plan=plan)
        with pytest.raises(ValidationError):
            update_plan(actor=cast.secretary, plan=plan, items=[])
        approve_plan(actor=cast.committee_admin, plan=plan)
        for step in (
            lambda: approve_plan(actor=cast.committee_admin, plan=plan),
            lambda: return_plan(actor=cast.committee_admin, plan=plan, reason="再退"),
            lambda: submit_plan(actor=cast.secretary, plan=plan),
        ):
            with pytest.raises(ValidationError):
                step()


def test_the_branchs_own_secretary_cannot_approve(cast):
    with at(2026, 11, 10):
        plan = filed(cast)
        submit_plan(actor=cast.secretary, plan=plan)
        with pytest.raises(PermissionDenied):
            approve_plan(actor=cast.secretary, plan=plan)


def test_reviewers_are_the_committee_and_the_department_above_the_branch(cast):
    both = make_user("both", Role.COMMITTEE_ADMIN, cast.committee_a)
    both.grants.create(org=cast.branch_a1, role=Role.BRANCH_SECRETARY)
    assert can_review(cast.committee_admin, cast.branch_a1)
    assert can_review(cast.dept_admin, cast.branch_a1)
    assert not can_review(cast.committee_admin, cast.branch_b1)
    assert not can_review(cast.secretary, cast.branch_a1)
    assert not can_review(cast.viewer, cast.branch_a1)
    assert not can_review(both, cast.branch_a1)
    assert can_review(both, cast.branch_a2)


def test_a_reader_cannot_file_a_plan(cast):
    with at(2026, 11, 10), pytest.raises(PermissionDenied):
        filed(cast, user=cast.viewer)
