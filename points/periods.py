"""Weeks, months, quarters and years as date ranges (weeks start on Monday, ISO numbering)."""

from __future__ import annotations

import calendar
import datetime as dt


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1-4")
    return dt.date(year, 3 * quarter - 2, 1), month_bounds(year, 3 * quarter)[1]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def period_keys(day: dt.date) -> dict[str, tuple[int, ...]]:
    """The week, month and year a day belongs to, as hashable keys."""
    iso = day.isocalendar()
    return {"week": (iso.year, iso.week), "month": (day.year, day.month), "year": (day.year,)}
