"""What each branch owes per rule, attendance denominators, soft rules and rule-set versions."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from conftest import make_member, make_org, make_user
from orglife import defaults
from orglife.models import MeetingRule, MeetingType, PatrolCheck, PeriodKind, RuleSet
from orglife.rules import attendance_due, due_in, requirements, ruleset_for
from orglife.services import stats
from orglife.services.plans import check_plan
from orglife.services.rules import (
    create_ruleset_version,
    is_department_admin,
    rules_of,
    settings_of,
    version_changes,
)
from orglife.tests.plan_fixtures import at, filled
from orgs.models import Member
from orgs.roles import Role

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
T = MeetingType


def due_counts(org, month):
    out = Counter()
    for req in requirements(org, month):
        if due_in(req, month):
            out[req.meeting_type] += req.min_count
    return out


def test_the_first_rule_set_is_the_official_defaults(db):
    first = RuleSet.objects.order_by("effective_from").first()
    rules = [(r.meeting_type, r.period, r.min_count, r.applies_to, r.source) for r in rules_of(first)]
    assert rules == defaults.MEETING_RULES
    assert {t for t, *_ in defaults.MEETING_RULES} == set(MeetingType.values)
    assert {p for _, p, *_ in defaults.MEETING_RULES} <= set(PeriodKind.values)
    assert {a for *_, a, _ in defaults.MEETING_RULES} <= set(MeetingRule.AppliesTo.values)
    assert set(defaults.PATROL_RATING_POINTS) == set(PatrolCheck.Rating.values)
    assert first.plan_deadline_day == defaults.PLAN_DEADLINE_DAY
    assert first.reminder_days == defaults.REMINDER_DAYS
    assert first.lag_threshold == defaults.LAG_THRESHOLD
    assert defaults.WEIGHT_COMPLETION + defaults.WEIGHT_QUALITY + defaults.WEIGHT_RECTIFICATION == 100


def new_version(actor, month=DEC, **changes):
    base = ruleset_for(month)
    values = settings_of(base)
    values.update({k: v for k, v in changes.items() if k in values})
    rules = rules_of(base)
    for rule in rules:
        for key, value in changes.get(rule.meeting_type, {}).items():
            setattr(rule, key, value)
    return create_ruleset_version(
        actor=actor, effective_from=month, document="示范县委组织部〔2026〕12号", values=values, rules=rules
    )


# ---------------------------------------------------------------- required counts


def test_a_branch_with_a_committee_and_a_group_owes_the_monthly_meetings(cast):
    assert due_counts(cast.branch_a1, NOV) == {T.COMMITTEE: 1, T.GROUP: 1, T.THEME_DAY: 1}


def test_quarterly_and_yearly_meetings_fall_due_in_december(cast):
    assert due_counts(cast.branch_a1, DEC) == {
        T.GENERAL_ASSEMBLY: 1,
        T.COMMITTEE: 1,
        T.GROUP: 1,
        T.LECTURE: 1,
        T.THEME_DAY: 1,
        T.ORG_LIFE: 1,
        T.APPRAISAL: 1,
        T.TALKS: 1,
    }


def test_a_branch_without_a_committee_or_groups_owes_no_committee_or_group_meetings(cast):
    counts = due_counts(cast.branch_a2, DEC)
    assert T.COMMITTEE not in counts and T.GROUP not in counts
    assert counts[T.GENERAL_ASSEMBLY] == 1 and counts[T.THEME_DAY] == 1


def test_each_party_group_owes_its_own_group_meeting(cast):
    second = make_org(cast.branch_a1, "第二党小组", "group", "G0002")
    groups = [r.group for r in requirements(cast.branch_a1, NOV) if r.meeting_type == T.GROUP]
    assert groups == [cast.group_a1, second]
    assert due_counts(cast.branch_a1, NOV)[T.GROUP] == 2


def test_an_inactive_group_owes_nothing(cast):
    cast.group_a1.is_active = False
    cast.group_a1.save()
    assert T.GROUP not in due_counts(cast.branch_a1, NOV)


def test_committees_and_groups_owe_no_organizational_life_of_their_own(cast):
    assert requirements(cast.committee_a, NOV) == []
    assert requirements(cast.group_a1, NOV) == []


def test_the_precomputed_required_counts_match_the_rules(cast):
    with at(2026, 12, 10):
        rows = {r.meeting_type: r.required for r in stats.refresh_branch_month(cast.branch_a2, DEC)}
    assert rows[T.GENERAL_ASSEMBLY] == 1 and rows[T.LECTURE] == 1 and rows[T.TALKS] == 1
    assert T.COMMITTEE not in rows and T.GROUP not in rows


def test_exempt_lost_and_suspended_members_leave_attendance_due(cast):
    due_before = {m.pk for m in attendance_due(cast.branch_a1)}
    assert cast.member_a1.pk in due_before and len(due_before) == 4
    old = make_member(cast.branch_a1, "年老体弱", is_exempt=True, exempt_reason="年老体弱")
    lost = make_member(cast.branch_a1, "失联者", status=Member.Status.LOST)
    suspended = make_member(cast.branch_a1, "停止党籍者", status=Member.Status.SUSPENDED)
    mobile = make_member(cast.branch_a1, "流动党员", status=Member.Status.MOBILE)
    due = {m.pk for m in attendance_due(cast.branch_a1)}
    assert old.pk not in due and lost.pk not in due and suspended.pk not in due
    assert mobile.pk in due and len(due) == 5


# ---------------------------------------------------------------- soft and hard rules


def test_a_missing_item_of_a_soft_rule_is_a_warning_not_an_error(cast):
    with at(2026, 11, 10):
        items = [i for i in filled(cast.branch_a1, DEC) if i.meeting_type != T.COMMITTEE]
        result = check_plan(cast.branch_a1, DEC, items)
    assert result.errors == []
    assert any("支委会" in w for w in result.warnings)


def test_a_missing_item_of_a_hard_rule_is_an_error(cast):
    with at(2026, 11, 10):
        new_version(cast.dept_admin, committee={"soft": False})
        items = [i for i in filled(cast.branch_a1, DEC) if i.meeting_type != T.COMMITTEE]
        result = check_plan(cast.branch_a1, DEC, items)
    assert any("支委会" in e for e in result.errors)


# ---------------------------------------------------------------- versions


def test_a_change_effective_in_december_leaves_november_as_it_was(cast):
    with at(2026, 11, 10):
        version = new_version(
            cast.dept_admin, committee={"min_count": 2}, lecture={"period": "month"}, plan_deadline_day=20
        )
    assert ruleset_for(NOV).pk != version.pk and ruleset_for(DEC).pk == version.pk
    assert due_counts(cast.branch_a1, NOV) == {T.COMMITTEE: 1, T.GROUP: 1, T.THEME_DAY: 1}
    assert due_counts(cast.branch_a1, DEC)[T.COMMITTEE] == 2
    assert due_counts(cast.branch_a1, DEC)[T.LECTURE] == 1
    assert due_counts(cast.branch_a1, dt.date(2027, 1, 1))[T.LECTURE] == 1  # monthly from now on
    assert ruleset_for(dt.date(2027, 6, 1)).plan_deadline_day == 20


def test_a_new_version_is_audited_with_what_changed(cast):
    with at(2026, 11, 10):
        version = new_version(cast.dept_admin, committee={"min_count": 2}, theme_day_of_month=5)
    event = AuditEvent.objects.get(target_type="orglife.RuleSet", target_id=str(version.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert "committee" in event.summary["changed"] and "theme_day_of_month" in event.summary["changed"]
    lines = version_changes(version)
    assert any("支委会" in line and "2次" in line for line in lines)
    assert any("主题党日固定日" in line for line in lines)


def test_a_version_for_a_month_already_taken_is_refused(cast):
    with at(2026, 11, 10):
        new_version(cast.dept_admin)
        with pytest.raises(ValidationError, match="不可修改"):
            new_version(cast.dept_admin)
    assert RuleSet.objects.count() == 2


def test_a_version_cannot_start_in_a_past_month(cast):
    with at(2026, 11, 10), pytest.raises(ValidationError, match="不能早于本月"):
        new_version(cast.dept_admin, month=dt.date(2026, 10, 1))


def test_a_version_may_start_in_the_current_month(cast):
    with at(2026, 11, 10):
        version = new_version(cast.dept_admin, month=NOV, committee={"min_count": 3})
    assert due_counts(cast.branch_a1, NOV)[T.COMMITTEE] == 3
    assert ruleset_for(dt.date(2026, 10, 1)).pk != version.pk


def test_score_weights_must_add_up_to_100(cast):
    with at(2026, 11, 10), pytest.raises(ValidationError, match="100"):
        new_version(cast.dept_admin, weight_completion=70)


def test_every_meeting_type_needs_exactly_one_rule(cast):
    base = ruleset_for(NOV)
    with at(2026, 11, 10), pytest.raises(ValidationError, match="有且只有一条"):
        create_ruleset_version(
            actor=cast.dept_admin,
            effective_from=DEC,
            document="文件",
            values=settings_of(base),
            rules=rules_of(base)[1:],
        )


def test_only_a_county_department_admin_changes_the_rules(cast):
    lower_dept = make_user("dept_lower", Role.DEPT_ADMIN, cast.committee_a)
    assert is_department_admin(cast.dept_admin)
    for user in (cast.committee_admin, cast.secretary, cast.viewer, lower_dept):
        assert not is_department_admin(user)
        with at(2026, 11, 10), pytest.raises(PermissionDenied):
            new_version(user)


def test_versions_keep_their_values_when_a_later_one_is_published(cast):
    with at(2026, 11, 10):
        new_version(cast.dept_admin, lag_threshold=Decimal("55.5"))
        new_version(cast.dept_admin, month=dt.date(2027, 3, 1), lag_threshold=Decimal("70"))
    assert ruleset_for(DEC).lag_threshold == Decimal("55.5")
    assert ruleset_for(dt.date(2027, 2, 1)).lag_threshold == Decimal("55.5")
    assert ruleset_for(dt.date(2027, 3, 1)).lag_threshold == Decimal("70")


# ---------------------------------------------------------------- the page


def rule_form_data(**changes):
    base = ruleset_for(NOV)
    data = {
        "effective_from": "2026-12",
        "document": "示范县委组织部〔2026〕12号",
        "note": "党课改为每月",
        **{k: "" if v is None else str(v) for k, v in settings_of(base).items()},
        "rules-TOTAL_FORMS": "8",
        "rules-INITIAL_FORMS": "0",
    }
    for n, rule in enumerate(rules_of(base)):
        for key in ("meeting_type", "period", "min_count", "applies_to", "source"):
            data[f"rules-{n}-{key}"] = str(getattr(rule, key))
        if rule.soft:
            data[f"rules-{n}-soft"] = "on"
    data.update(changes)
    return data


def test_the_department_admin_publishes_a_version_from_the_page(cast):
    from django.urls import reverse

    client = cast.client(cast.dept_admin)
    with at(2026, 11, 10):
        page = client.get(reverse("orglife:rule_create")).content.decode()
        assert 'value="2026-12"' in page and "ZB2018 第十一条" in page
        lecture = [r.meeting_type for r in rules_of(ruleset_for(NOV))].index(T.LECTURE)
        response = client.post(
            reverse("orglife:rule_create"), rule_form_data(**{f"rules-{lecture}-period": "month"})
        )
    assert response.status_code == 302
    assert ruleset_for(DEC).rules.get(meeting_type=T.LECTURE).period == "month"
    assert ruleset_for(NOV).rules.get(meeting_type=T.LECTURE).period == "quarter"
    with at(2026, 11, 10):
        listing = client.get(reverse("orglife:rule_list")).content.decode()
    assert "待生效" in listing and "党课：每季度1次 → 每月1次" in listing


def test_a_refused_version_shows_the_reason_on_the_form(cast):
    from django.urls import reverse

    with at(2026, 11, 10):
        response = cast.client(cast.dept_admin).post(
            reverse("orglife:rule_create"), rule_form_data(effective_from="2026-10", weight_quality="30")
        )
    html = response.content.decode()
    assert response.status_code == 200 and "不能早于本月" in html and "权重之和应为100" in html
    assert RuleSet.objects.count() == 1
