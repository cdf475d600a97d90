"""Completion rollups (CompletionRollup) stay equal to a full recomputation through the services that write
records and plans, the bulk rebuild and the check command agree, and the pages read the same figures as a
plain grouped query over CompletionStat."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum

from conftest import make_org
from orglife.models import CompletionRollup, CompletionStat, MonthlyPlan
from orglife.periods import MONTH, QUARTER, YEAR, Period
from orglife.selectors import stats
from orglife.services import records as svc
from orglife.services.plans import approve_plan, check_plan_deadline, create_plan, submit_plan
from orglife.services.rollups import differences, expected_rollups, rebuild_rollups, stored_rollups
from orglife.services.stats import rebuild_stats
from orglife.tests.plan_fixtures import at, filled
from orglife.tests.records_fixtures import approved, draft
from orglife.tests.stats_fixtures import make_record

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
OCT_NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
SUMS = ("required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def march(cast):
    """The stats-aggregation data: two committees, a second group, records over the first quarter."""
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        cast.group_a1b = make_org(cast.branch_a1, "第二党小组", "group", "G0002")
        make_record(cast.branch_a1, "general_assembly", JAN, present=3, absent=1)
        make_record(cast.branch_a1, "committee", MAR, present=3, absent=1, planned=True)
        make_record(cast.branch_a1, "group", MAR, group=cast.group_a1, present=2)
        make_record(cast.branch_a1, "theme_day", MAR, present=4, planned=True)
        make_record(cast.branch_a2, "theme_day", MAR)
        make_record(cast.branch_a2, "lecture", MAR, status="submitted")
        MonthlyPlan.objects.create(org=cast.branch_a2, month=MAR, status="approved", is_late=True)
        call_command(
            "orglife_refresh_stats", "--month", "2026-01", "--month", "2026-02", "--month", "2026-03"
        )
        yield cast


def assert_consistent():
    assert differences() == []


def grouped(node, period):
    """The figures the page showed before rollups: a grouped query over the subtree's CompletionStat rows."""
    months = {"month__gte": period.start, "month__lte": period.months[-1]}
    rows = CompletionStat.objects.filter(org_path__startswith=node.path, **months)
    got = rows.aggregate(**{f: Sum(f) for f in SUMS}, branches=Count("org_id", distinct=True))
    late = MonthlyPlan.objects.filter(org__path__startswith=node.path, is_late=True, **months).count()
    return {**{k: v or 0 for k, v in got.items()}, "late_plans": late}


def shown(totals):
    return {k: getattr(totals, k) for k in (*SUMS, "branches", "late_plans")}


def test_the_refresh_command_leaves_rollups_equal_to_a_recomputation(march):
    assert_consistent()
    assert stored_rollups()  # not trivially equal: there are rows


@pytest.mark.parametrize("kind", [MONTH, QUARTER, YEAR])
@pytest.mark.parametrize("level", [1, 2])
def test_the_page_shows_what_a_grouped_query_over_completion_stats_gives(march, kind, level):
    period = Period.containing(kind, MAR)
    data = stats.completion(march.county, period, level=level)
    assert shown(data.totals) == grouped(march.county, period)
    assert data.rows
    for row in data.rows:
        assert shown(row.totals) == grouped(row.org, period), row.org.code
    by_type = {
        t["meeting_type"]: {f: t[f] for f in SUMS}
        for t in CompletionStat.objects.filter(
            org_path__startswith=march.county.path, month__gte=period.start, month__lte=period.months[-1]
        )
        .values("meeting_type")
        .annotate(**{f: Sum(f) for f in SUMS})
    }
    assert {t.meeting_type: {f: getattr(t.totals, f) for f in SUMS} for t in data.by_type} == by_type


def test_records_created_approved_voided_and_backfilled_keep_the_rollups(cast):
    with time_machine.travel(OCT_NOW, tick=False):
        record = approved(cast.secretary, cast.branch_a1)
        assert_consistent()
        assert stats.node_totals(cast.county, Period.containing(MONTH, OCT_NOW.date())).held == 1
        started = OCT_NOW - dt.timedelta(days=9)
        late = draft(
            cast.secretary, cast.branch_a1, started_at=started, ended_at=started + dt.timedelta(hours=1)
        )
        svc.submit_record(actor=cast.secretary, record=late)
        svc.approve_record(actor=cast.committee_admin, record=late)  # the back-fill, approved above
        assert_consistent()
        svc.stop_counting(
            actor=cast.committee_admin,
            record=record,
            action="rehold",
            reason="照片不符",
            points_reason="要求重新召开",
        )
        assert_consistent()
        county = stats.node_totals(cast.county, Period.containing(YEAR, OCT_NOW.date()))
        assert (county.held, county.branches) == (1, 1)


def test_plans_filed_late_approved_and_marked_late_keep_the_rollups(cast):
    dec = dt.date(2026, 12, 1)
    with at(2026, 11, 20):
        plan = create_plan(
            actor=cast.secretary, org=cast.branch_a1, month=dec, items=filled(cast.branch_a1, dec)
        )
        idle = create_plan(
            actor=cast.committee_admin, org=cast.branch_a2, month=dec, items=filled(cast.branch_a2, dec)
        )
    with at(2026, 11, 26, 0, 0):
        submit_plan(actor=cast.secretary, plan=plan)  # late
    assert_consistent()
    with at(2026, 11, 27):
        approve_plan(actor=cast.committee_admin, plan=plan)
        assert_consistent()
        check_plan_deadline(month=dt.date(2026, 11, 1))  # the unsubmitted draft is marked late
    idle.refresh_from_db()
    assert idle.is_late
    assert_consistent()
    assert stats.node_totals(cast.county, Period.containing(MONTH, dec)).late_plans == 2


def test_the_bulk_rebuild_of_stats_keeps_the_rollups(march):
    rebuild_stats(orgs=[march.branch_a1, march.branch_a2, march.branch_b1], months=[JAN, FEB, MAR])
    assert_consistent()


def test_the_bulk_rebuild_equals_the_recomputation_and_the_command_finds_drift(march, capsys):
    want = expected_rollups()
    assert rebuild_rollups() >= len(want)
    assert stored_rollups() == want
    call_command("orglife_rollups", "--check")
    row = CompletionRollup.objects.get(org=march.county, kind=MONTH, start=MAR, meeting_type="theme_day")
    row.held += 5
    row.save()
    with pytest.raises(CommandError, match="不一致：1 行"):
        call_command("orglife_rollups", "--check")
    assert "theme_day" in capsys.readouterr().out
    call_command("orglife_rollups", "--rebuild", "--check")
    assert stored_rollups() == want


def test_a_refresh_repairs_a_branch_whose_rows_were_written_around_the_service(march):
    CompletionStat.objects.filter(org=march.branch_b1, month=MAR).update(held=7)
    assert differences()
    call_command("orglife_refresh_stats", "--month", "2026-03", "--org", march.branch_b1.code)
    assert_consistent()
