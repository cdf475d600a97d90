"""Month close: committee scores, ranks, lagging, escalating interviews; idempotent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Message
from orglife.models import CompletionStat, Interview, MonthlyScore, PatrolCheck, Rectification, RuleSet
from orglife.periods import add_months, first_of_month, local_today
from orglife.services.scores import close_month, county_roots, formula, scored_committees

JUL = dt.date(2026, 7, 1)


@pytest.fixture
def rules(cast):
    ruleset = RuleSet.objects.get()
    ruleset.lag_bottom_n = 0  # lagging only by the threshold (60) unless a test says otherwise
    ruleset.save()
    return ruleset


def completion(org, month, required, credited):
    CompletionStat.objects.update_or_create(
        org=org,
        month=month,
        meeting_type="theme_day",
        defaults={"org_path": org.path, "required": required, "credited": credited, "held": credited},
    )


def month_where(cast, month, *, a_lags):
    """committee_a completes nothing (total 40) or everything (100); committee_b always everything."""
    for branch in (cast.branch_a1, cast.branch_a2):
        completion(branch, month, 2, 0 if a_lags else 2)
    completion(cast.branch_b1, month, 1, 1)


def interview(cast, month):
    return Interview.objects.filter(org=cast.committee_a, month=month).first()


def test_the_county_committees_with_branches_are_scored(cast):
    assert county_roots() == [cast.county]
    assert scored_committees(cast.county) == [cast.committee_a, cast.committee_b]


def test_the_score_combines_completion_quality_and_rectification(cast, rules):
    completion(cast.branch_a1, JUL, 4, 3)
    completion(cast.branch_a2, JUL, 4, 1)  # committee_a: 4 of 8 = 50
    completion(cast.branch_b1, JUL, 2, 2)  # committee_b: all held
    from orglife.tests.test_reminders_digest import held

    record = held(cast.branch_a1, "theme_day", month=JUL)
    now = timezone.now()
    PatrolCheck.objects.create(month=JUL, record=record, org=cast.branch_a1, sampled_at=now, rating="good")
    record2 = held(cast.branch_a2, "theme_day", month=JUL)
    PatrolCheck.objects.create(month=JUL, record=record2, org=cast.branch_a2, sampled_at=now, rating="poor")
    Rectification.objects.create(
        org=cast.branch_a1,
        title="补开",
        deadline=dt.date(2026, 7, 20),
        opened_at=now,
        status="closed",
        closed_at=timezone.make_aware(dt.datetime(2026, 7, 19, 10)),
    )
    Rectification.objects.create(
        org=cast.branch_a2, title="补记", deadline=dt.date(2026, 7, 25), opened_at=now
    )
    close_month(month=JUL)
    score = MonthlyScore.objects.get(org=cast.committee_a, month=JUL)
    assert score.completion_rate == Decimal("50.00")
    assert score.quality_score == Decimal("67.50")  # (85 + 50) / 2
    assert score.rectification_score == Decimal("50.00")  # one of two closed on time
    assert score.total == Decimal("54.38")  # (50×60 + 67.5×25 + 50×15) / 100
    assert score.branches == 2
    b = MonthlyScore.objects.get(org=cast.committee_b, month=JUL)
    assert (b.completion_rate, b.quality_score, b.rectification_score, b.total) == (100, 100, 100, 100)
    assert (b.rank, score.rank) == (1, 2)
    assert score.lagging and not b.lagging


def test_an_idle_branch_counts_as_nothing_held(cast, rules):
    completion(cast.branch_a1, JUL, 4, 4)
    completion(cast.branch_a2, JUL, 4, 4)
    close_month(month=JUL)  # branch_b1 has no plan, no record and so no stats rows before the close
    b = MonthlyScore.objects.get(org=cast.committee_b, month=JUL)
    assert b.completion_rate == Decimal("0.00") and b.lagging
    assert MonthlyScore.objects.get(org=cast.committee_a, month=JUL).completion_rate == Decimal("100.00")


def test_the_formula_names_the_weights_in_force(rules):
    assert formula(rules) == "总分 =（完成率×60 + 质量分×25 + 整改分×15）÷ 100"


def test_the_bottom_n_lag_and_ties_are_not_split(cast, rules):
    rules.lag_bottom_n = 1
    rules.save()
    month_where(cast, JUL, a_lags=False)
    close_month(month=JUL)
    # Both committees score 100 and share rank 1: neither is "the last one".
    assert list(MonthlyScore.objects.filter(month=JUL).values_list("rank", "lagging")) == [
        (1, False),
        (1, False),
    ]
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    assert MonthlyScore.objects.get(org=cast.committee_a, month=JUL).lagging


def test_lag_lag_lag_ok_escalates_to_the_principal_then_stops(cast, rules):
    for i, lags in enumerate([True, True, True, False]):
        month_where(cast, add_months(JUL, i), a_lags=lags)
        close_month(month=add_months(JUL, i))
    levels = [
        (i.level, i.consecutive_lag, i.requires_self_analysis)
        for i in Interview.objects.filter(org=cast.committee_a).order_by("month")
    ]
    assert levels == [
        ("organization_member", 1, False),
        ("deputy_secretary", 2, False),
        ("principal", 3, True),
    ]
    assert interview(cast, add_months(JUL, 3)) is None
    assert MonthlyScore.objects.get(org=cast.committee_a, month=add_months(JUL, 3)).consecutive_lag == 0
    assert not Interview.objects.filter(org=cast.committee_b).exists()


def test_lag_ok_lag_starts_again_at_the_first_level(cast, rules):
    for i, lags in enumerate([True, False, True]):
        month_where(cast, add_months(JUL, i), a_lags=lags)
        close_month(month=add_months(JUL, i))
    assert interview(cast, JUL).level == "organization_member"
    assert interview(cast, add_months(JUL, 1)) is None
    third = interview(cast, add_months(JUL, 2))
    assert (third.level, third.consecutive_lag) == ("organization_member", 1)


def test_the_interview_is_due_ten_days_into_the_next_month(cast, rules):
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    assert interview(cast, JUL).due_on == dt.date(2026, 8, 10)


def test_closing_a_month_twice_gives_identical_results(cast, rules):
    month_where(cast, JUL, a_lags=True)
    month_where(cast, add_months(JUL, 1), a_lags=True)
    close_month(month=JUL)

    def snapshot():
        scores = list(
            MonthlyScore.objects.order_by("month", "org_id").values_list(
                "org_id",
                "month",
                "branches",
                "completion_rate",
                "quality_score",
                "rectification_score",
                "total",
                "rank",
                "lagging",
                "consecutive_lag",
            )
        )
        interviews = list(
            Interview.objects.order_by("month", "org_id").values_list(
                "org_id", "month", "level", "consecutive_lag", "requires_self_analysis", "due_on", "status"
            )
        )
        return scores, interviews, Message.objects.count()

    close_month(month=add_months(JUL, 1))
    first = snapshot()
    second_report = close_month(month=add_months(JUL, 1))
    assert snapshot() == first
    assert second_report.interviews_created == 0


def test_a_done_interview_is_kept_when_the_month_is_closed_again(cast, rules):
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    Interview.objects.filter(org=cast.committee_a).update(status="done", outcome="已约谈")
    month_where(cast, JUL, a_lags=False)  # late records arrive
    close_month(month=JUL)
    assert interview(cast, JUL).status == "done"


def test_a_pending_interview_follows_late_records(cast, rules):
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    month_where(cast, JUL, a_lags=False)
    report = close_month(month=JUL)
    assert report.interviews_removed == 1
    assert interview(cast, JUL) is None


def test_the_committee_admins_get_one_notice(cast, rules):
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    close_month(month=JUL)
    (notice,) = Message.objects.filter(recipient=cast.committee_admin, channel="site")
    assert "约谈组织委员" in notice.body
    assert "2026年07月" in notice.title


def test_the_interviewee_is_the_holder_of_the_post(cast, rules):
    from conftest import make_member
    from orgs.models import Position

    Position.objects.create(
        member=make_member(cast.committee_a, "钱组织"),
        org=cast.committee_a,
        title="organization",
        started_on=dt.date(2024, 1, 1),
    )
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    assert interview(cast, JUL).interviewee_name == "钱组织"


def test_the_command_closes_the_named_month(cast, rules):
    month_where(cast, JUL, a_lags=True)
    call_command("orglife_close_month", "2026-07")
    assert MonthlyScore.objects.filter(month=JUL).count() == 2


def test_the_service_itself_keeps_month_close_to_the_department_admin_and_ended_months(cast, rules):
    for user in (cast.committee_admin, cast.viewer):
        with pytest.raises(PermissionDenied):
            close_month(month=JUL, actor=user)
    with pytest.raises(ValidationError, match="只能结算已经结束的月份"):
        close_month(month=first_of_month(local_today()))
    assert not MonthlyScore.objects.exists()
    close_month(month=JUL, actor=cast.dept_admin)
    assert MonthlyScore.objects.filter(month=JUL).exists()


def test_when_every_committee_ties_nobody_lags_by_rank(cast, rules):
    rules.lag_bottom_n = 3
    rules.save()
    month_where(cast, JUL, a_lags=False)
    close_month(month=JUL)
    assert not MonthlyScore.objects.filter(month=JUL, lagging=True).exists()
    assert not Interview.objects.exists()
