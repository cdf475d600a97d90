"""每周统计: the Monday job that stores each organization's points per week of the year (WeeklyStat)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from points.models import LedgerEntry, WeeklyStat
from points.periods import year_bounds


def last_finished_week(today: dt.date) -> dt.date:
    """The Monday of the last week that ended before `today`."""
    return today - dt.timedelta(days=today.weekday() + 7)


@transaction.atomic
def compute_weekly_stats(*, year: int, today: dt.date | None = None) -> int:
    """Recompute the year's finished weeks (entries can be backdated, e.g. at a quarterly review), per
    organization of the entries; replaces what an earlier run stored for the year. Returns rows written."""
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    # A week is finished once its Sunday is before today; the year's last days may belong to an open week.
    until = min(end, today - dt.timedelta(days=today.weekday() + 1))
    WeeklyStat.objects.filter(year=year).delete()
    if until < start:
        return 0
    rows = (
        LedgerEntry.objects.filter(occurred_on__range=(start, until))
        .annotate(week=TruncWeek("occurred_on"))
        .values_list("org_id", "week")
        .annotate(points=Sum("points"), entries=Count("pk"), members=Count("member_id", distinct=True))
        .order_by()
    )
    now = timezone.now()
    stats = [
        WeeklyStat(
            org_id=org_id,
            year=year,
            week=week,
            points=points,
            entries=entries,
            members=members,
            computed_at=now,
        )
        for org_id, week, points, entries, members in rows.iterator(chunk_size=5000)
    ]
    WeeklyStat.objects.bulk_create(stats, batch_size=2000)
    return len(stats)


def run_weekly_stats(*, today: dt.date | None = None) -> dict[int, int]:
    """The Monday 06:00 job: recompute every year the last finished week touches (one or, at New Year, two)."""
    today = today or timezone.localdate()
    monday = last_finished_week(today)
    years = sorted({monday.year, (monday + dt.timedelta(days=6)).year})
    written = {year: compute_weekly_stats(year=year, today=today) for year in years}
    record_event(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        target_repr="学习积分每周统计",
        summary={"points_weekly": {str(y): n for y, n in written.items()}},
    )
    return written
