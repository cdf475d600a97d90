"""Period arithmetic: quarters, half-years, month boundaries, the year wrap, the plan deadline in Shanghai."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from orglife.periods import (
    HALF,
    MONTH,
    QUARTER,
    YEAR,
    Period,
    add_months,
    local_day_bounds,
    parse_month,
    plan_deadline,
)
from orglife.services.plans import filing_window

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31), "2026年第1季度"),
        (D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31), "2026年第1季度"),
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30), "2026年第2季度"),
        (D(2026, 8, 15), D(2026, 7, 1), D(2026, 9, 30), "2026年第3季度"),
        (D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), "2026年第4季度"),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_day(day, start, end, label):
    period = Period.containing(QUARTER, day)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert day in period


def test_half_years_split_at_july():
    assert Period.containing(HALF, D(2026, 6, 30)).label == "2026年上半年"
    assert Period.containing(HALF, D(2026, 6, 30)).end == D(2026, 6, 30)
    assert Period.containing(HALF, D(2026, 7, 1)).label == "2026年下半年"
    assert Period.containing(HALF, D(2026, 7, 1)).months == [D(2026, m, 1) for m in range(7, 13)]


def test_a_year_ends_on_december_31():
    period = Period.containing(YEAR, D(2026, 5, 5))
    assert (period.start, period.end, period.label) == (D(2026, 1, 1), D(2026, 12, 31), "2026年")


def test_month_ends_follow_the_calendar_including_leap_years():
    assert Period.containing(MONTH, D(2024, 2, 10)).end == D(2024, 2, 29)
    assert Period.containing(MONTH, D(2026, 2, 10)).end == D(2026, 2, 28)
    assert Period.containing(MONTH, D(2026, 4, 30)).end == D(2026, 4, 30)
    assert D(2026, 5, 1) not in Period.containing(MONTH, D(2026, 4, 30))


def test_adding_months_wraps_the_year_both_ways():
    assert add_months(D(2026, 12, 1), 1) == D(2027, 1, 1)
    assert add_months(D(2027, 1, 1), -1) == D(2026, 12, 1)
    assert add_months(D(2026, 1, 1), -13) == D(2024, 12, 1)
    assert add_months(D(2026, 11, 1), 14) == D(2028, 1, 1)


def test_a_period_falls_due_in_its_last_month():
    q4 = Period.containing(QUARTER, D(2026, 11, 1))
    assert q4.ends_in(D(2026, 12, 1)) and not q4.ends_in(D(2026, 11, 1))
    assert Period.containing(YEAR, D(2026, 3, 1)).ends_in(D(2026, 12, 20))


def test_parse_month_reads_yyyy_mm_and_refuses_anything_else():
    assert parse_month("2026-12") == D(2026, 12, 1)
    for bad in ("2026/12", "2026-13", "december", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)


def test_the_plan_deadline_is_the_end_of_the_25th_of_the_month_before_in_shanghai():
    deadline = plan_deadline(D(2027, 1, 1), 25)
    assert deadline == dt.datetime(2026, 12, 25, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert deadline.astimezone(UTC) == dt.datetime(2026, 12, 25, 15, 59, 59, 999999, tzinfo=UTC)


def test_a_deadline_day_past_the_month_end_falls_on_its_last_day():
    assert plan_deadline(D(2026, 3, 1), 31).date() == D(2026, 2, 28)


def test_local_day_bounds_are_shanghai_midnights():
    lo, hi = local_day_bounds(D(2026, 12, 1), D(2026, 12, 31))
    assert lo == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert hi == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert lo.astimezone(UTC) == dt.datetime(2026, 11, 30, 16, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=SHANGHAI), "not_open"),
        (dt.datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI), "open"),
        (dt.datetime(2026, 11, 25, 23, 59, tzinfo=SHANGHAI), "open"),
        (dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI), "open"),
        (dt.datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI), "late"),
        # The UTC boundary: still the 25th in UTC, already the 26th in Shanghai.
        (dt.datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC), "open"),
        (dt.datetime(2026, 11, 25, 16, 0, 0, tzinfo=UTC), "late"),
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), "late"),
        (dt.datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI), "closed"),
    ],
)
def test_the_december_plan_window_in_shanghai_time(moment, state):
    with time_machine.travel(moment, tick=False):
        assert filing_window(D(2026, 12, 1)).state(timezone.now()) == state
