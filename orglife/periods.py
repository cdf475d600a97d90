"""Periods (month, quarter, half-year, year) in Asia/Shanghai: the one small module used everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
PERIOD_LABELS = {MONTH: "每月", QUARTER: "每季度", HALF: "每半年", YEAR: "每年"}
_MONTHS_IN = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month n months after `month` (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date:
    """'2026-10' → date(2026, 10, 1); raises ValueError with a Chinese message."""
    try:
        year, month = text.strip().split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"月份格式应为 YYYY-MM，收到 {text!r}") from exc


def local_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date  # first day of the first month
    kind: str

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        size = _MONTHS_IN[kind]
        month0 = (day.month - 1) // size * size
        return cls(dt.date(day.year, month0 + 1, 1), kind)

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(_MONTHS_IN[self.kind])]

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return add_months(self.start, _MONTHS_IN[self.kind]) - dt.timedelta(days=1)

    def ends_in(self, month: dt.date) -> bool:
        return self.months[-1] == first_of_month(month)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        y, m = self.start.year, self.start.month
        if self.kind == MONTH:
            return f"{y}年{m}月"
        if self.kind == QUARTER:
            return f"{y}年第{(m - 1) // 3 + 1}季度"
        if self.kind == HALF:
            return f"{y}年{'上' if m == 1 else '下'}半年"
        return f"{y}年"


def plan_deadline(month: dt.date, deadline_day: int) -> dt.datetime:
    """The plan for `month` is due by the end of `deadline_day` of the month before (Asia/Shanghai)."""
    previous = add_months(first_of_month(month), -1)
    last_day = (add_months(previous, 1) - dt.timedelta(days=1)).day
    day = min(deadline_day, last_day)
    return dt.datetime(previous.year, previous.month, day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def local_day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in Asia/Shanghai, as aware datetimes for range queries."""
    lo = dt.datetime(start.year, start.month, start.day, tzinfo=SHANGHAI)
    nxt = end + dt.timedelta(days=1)
    return lo, dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=SHANGHAI)
