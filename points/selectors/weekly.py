"""每周统计: points, entries and scoring members per week, from the Monday job's rows and the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from points.models import LedgerEntry, WeeklyStat
from points.periods import year_bounds


@dataclass
class Weekly:
    """每周统计 rows (newest first) and up to which Monday they come from the Monday job's stored rows."""

    weeks: list[dict[str, Any]]
    stored_until: dt.date | None = None
    computed_at: dt.datetime | None = None

    def chart(self) -> dict[str, list[Any]]:
        rows = list(reversed(self.weeks))
        return {
            "labels": [f"{w['week']:%m-%d}" for w in rows],
            "points": [float(w["points"]) for w in rows],
            "members": [w["members"] for w in rows],
            "entries": [w["entries"] for w in rows],
        }


def weekly_stats(
    entries: QuerySet[LedgerEntry], year: int, stats: QuerySet[WeeklyStat] | None = None
) -> Weekly:
    """每周统计: points, entries and members with points per week (Monday start) of the year.

    Weeks the Monday job has already counted come from WeeklyStat (`stats`, scoped like `entries`); the
    weeks after its last run are summed from the ledger (`entries`) as they stand.
    """
    start, end = year_bounds(year)
    out = Weekly([])
    live_from = start
    if stats is not None:
        last = WeeklyStat.objects.filter(year=year).aggregate(at=Max("computed_at"))["at"]
        if last is not None:
            day = timezone.localtime(last).date()
            out.computed_at, out.stored_until = last, day - dt.timedelta(days=day.weekday())
            out.weeks = [
                dict(w)
                for w in stats.filter(year=year, week__lt=out.stored_until)
                .values("week")
                .annotate(points=Sum("points"), entries=Sum("entries"), members=Sum("members"))
                .order_by("-week")
            ]
            live_from = max(start, out.stored_until)
    live = (
        entries.filter(occurred_on__range=(live_from, end))
        .annotate(week=TruncWeek("occurred_on"))
        .values("week")
        .annotate(points=Sum("points"), entries=Count("pk"), members=Count("member_id", distinct=True))
        .order_by("-week")
    )
    out.weeks = [dict(w) for w in live] + out.weeks
    return out
