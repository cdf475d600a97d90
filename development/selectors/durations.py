"""Average time spent per stage (the department's pipeline by node): for each stage, from the date a
person entered it to the date they left it, over the people who have left it. The dates are the ones the
stage changes record: 递交申请 → 积极分子 (activist_on) → 发展对象 (candidate_on) → 党委审批接收
(approved_on) → 党委审批转正 (conversion_approved_on, only for those who became full members)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, DurationField, ExpressionWrapper, F, Q

from development.models import Stage

SPANS: dict[str, tuple[str, str]] = {
    Stage.APPLICANT: ("applied_on", "activist_on"),
    Stage.ACTIVIST: ("activist_on", "candidate_on"),
    Stage.CANDIDATE: ("candidate_on", "approved_on"),
    Stage.PROBATIONARY: ("approved_on", "conversion_approved_on"),
}


def average_aggregates() -> dict[str, Any]:
    """Aggregate expressions (one per stage, named avg_<stage>) to add to a node's one query."""
    found: dict[str, Any] = {}
    for stage, (start, end) in SPANS.items():
        span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
        only = Q(**{f"{start}__isnull": False, f"{end}__isnull": False})
        if stage == Stage.PROBATIONARY:
            only &= Q(full_member_on__isnull=False)  # converted: an extension or a cancellation is not a stay
        found[f"avg_{stage}"] = Avg(span, filter=only, output_field=DurationField())
    return found


def average_days(row: dict[str, Any]) -> list[int | None]:
    """The stages' averages from an aggregate row, in whole days (None: nobody has left the stage)."""
    days: list[int | None] = []
    for stage in SPANS:
        value = row.get(f"avg_{stage}")
        if isinstance(value, dt.timedelta):
            days.append(round(value.total_seconds() / 86400))
        elif value is None:
            days.append(None)
        else:  # a backend answering in microseconds
            days.append(round(float(value) / 86_400_000_000))
    return days
