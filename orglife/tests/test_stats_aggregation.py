"""Completion numbers against hand-computed expectations (default rule set, March 2026 = a quarter end).

March requirements: branch_a1 (支委会, group_a1 and group_a1b) owes 党员大会, 支委会, 2×党小组会, 党课,
主题党日 = 6; branch_a2 and branch_b1 (no committee, no groups) owe 党员大会, 党课, 主题党日 = 3 each.
"""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from conftest import make_org
from orglife.models import CompletionStat, MonthlyPlan
from orglife.periods import MONTH, QUARTER, YEAR, Period
from orglife.selectors import stats
from orglife.tests.stats_fixtures import make_record

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.fixture
def march(cast):
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        cast.group_a1b = make_org(cast.branch_a1, "第二党小组", "group", "G0002")
        make_record(cast.branch_a1, "general_assembly", JAN, present=3, absent=1)  # credited in March
        make_record(cast.branch_a1, "committee", MAR, present=3, absent=1, planned=True)
        make_record(cast.branch_a1, "group", MAR, group=cast.group_a1, present=2)
        make_record(cast.branch_a1, "theme_day", MAR, present=4, planned=True)
        make_record(cast.branch_a1, "theme_day", MAR, present=4)  # a second one is held, not credited twice
        make_record(cast.branch_a2, "theme_day", MAR)  # unplanned, no attendance taken
        make_record(cast.branch_a2, "lecture", MAR, status="submitted")  # not approved: does not count
        MonthlyPlan.objects.create(org=cast.branch_a2, month=MAR, status="approved", is_late=True)
        call_command(
            "orglife_refresh_stats", "--month", "2026-01", "--month", "2026-02", "--month", "2026-03"
        )
        yield cast


def month_of(m):
    return Period.containing(MONTH, m)


def test_the_refresh_command_gives_a_branch_with_nothing_held_its_required_rows(march):
    rows = CompletionStat.objects.filter(org=march.branch_b1, month=MAR)
    assert {r.meeting_type: (r.required, r.held) for r in rows} == {
        "general_assembly": (1, 0),
        "lecture": (1, 0),
        "theme_day": (1, 0),
    }


def test_branch_with_committee_and_groups_counts_each_group_and_caps_extra_meetings(march):
    t = stats.node_totals(march.branch_a1, month_of(MAR))
    assert (t.required, t.credited, t.held, t.planned, t.unplanned) == (6, 4, 4, 2, 2)
    assert t.completion_rate == pytest.approx(66.7)
    assert (t.attendance_due, t.attendance_present, t.attendance_rate) == (14, 13, pytest.approx(92.9))
    by_type = {row.meeting_type: row.totals for row in stats.type_rows(march.branch_a1, month_of(MAR))}
    assert (by_type["group"].required, by_type["group"].credited) == (2, 1)
    assert (by_type["theme_day"].held, by_type["theme_day"].credited) == (2, 1)
    assert (by_type["general_assembly"].held, by_type["general_assembly"].credited) == (0, 1)


def test_branch_without_committee_owes_no_committee_meeting(march):
    t = stats.node_totals(march.branch_a2, month_of(MAR))
    assert (t.required, t.credited, t.unplanned, t.late_plans) == (3, 1, 1, 1)
    assert t.attendance_rate is None  # nobody was due: no rate rather than 0 %
    assert "committee" not in {r.meeting_type for r in stats.type_rows(march.branch_a2, month_of(MAR))}


def test_committee_and_county_totals_sum_their_branches(march):
    a = stats.node_totals(march.committee_a, month_of(MAR))
    assert (a.required, a.credited, a.late_plans, a.branches) == (9, 5, 1, 2)
    county = stats.node_totals(march.county, month_of(MAR))
    assert (county.required, county.credited, county.branches) == (12, 5, 3)
    assert county.completion_rate == pytest.approx(41.7)


def test_children_rows_are_grouped_by_path_prefix(march):
    rows = {r.org.code: r.totals for r in stats.level_rows(march.county, month_of(MAR))}
    assert set(rows) == {"C0002", "C0003"}
    assert (rows["C0002"].required, rows["C0002"].credited, rows["C0002"].late_plans) == (9, 5, 1)
    assert (rows["C0003"].required, rows["C0003"].credited, rows["C0003"].completion_rate) == (3, 0, 0.0)
    grand = {r.org.code: r.totals.credited for r in stats.level_rows(march.county, month_of(MAR), 2)}
    assert grand == {"B0001": 4, "B0002": 1, "B0003": 0}  # 党小组 are not a level of their own


def test_a_quarter_sums_its_months(march):
    q1 = stats.node_totals(march.branch_a1, Period.containing(QUARTER, MAR))
    # January and February: 支委会, two 党小组会 and 主题党日 due each month, none held.
    assert (q1.required, q1.credited) == (6 + 4 + 4, 4)
    year = stats.node_totals(march.county, Period.containing(YEAR, MAR))
    assert year.required == 12 + 2 * (4 + 1 + 1)


def test_levels_below_one_query_each(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # nodes, grouped stats, grouped late plans
        stats.level_rows(march.county, month_of(MAR), 2)


def test_a_branch_directly_under_the_county_counts_in_totals_at_every_level(march):
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        lone = make_org(march.county, "县委办公室党支部", "branch", "B0009")
        make_record(lone, "theme_day", MAR)
        call_command("orglife_refresh_stats", "--month", "2026-03", "--org", "B0009")
    period = month_of(MAR)
    children = stats.completion(march.county, period, level=1)
    assert {r.org.code: r.totals.credited for r in children.rows}["B0009"] == 1
    deeper = stats.completion(march.county, period, level=2)
    assert "B0009" not in {r.org.code for r in deeper.rows}
    for data in (children, deeper):
        assert (data.totals.required, data.totals.credited, data.totals.branches) == (15, 6, 4)
        assert data.totals.late_plans == 1
        assert data.totals.as_dict() == stats.node_totals(march.county, period).as_dict()
