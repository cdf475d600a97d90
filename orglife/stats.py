"""CompletionStat maintenance: rebuilt from source rows, so re-running or late records keep it right."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import Count, Q

from orglife.models import Attendance, CompletionStat, MeetingRecord, MonthlyPlan, PlanItem
from orglife.periods import Period, first_of_month, local_today
from orglife.rules import LIFE_KINDS, due_in, groups_of, requirements, ruleset_for
from orgs.models import Organization


def counting_records(org: Organization, start: dt.date, end: dt.date):  # noqa: ANN201
    """Approved, still-counting records of the branch whose month lies in [start, end]."""
    return MeetingRecord.objects.filter(
        org=org, month__gte=start, month__lte=end, status=MeetingRecord.Status.APPROVED, counts=True
    )


@transaction.atomic
def refresh_branch_month(org: Organization, month: dt.date) -> list[CompletionStat]:
    """Recompute the branch's stats for one month from plans, records and attendance."""
    month = first_of_month(month)
    if org.kind not in LIFE_KINDS:
        return []
    ruleset = ruleset_for(month)
    groups = groups_of(org)
    reqs = requirements(org, month, ruleset=ruleset, groups=groups)

    held_month = Counter(
        dict(
            counting_records(org, month, month)
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    unplanned = Counter(
        dict(
            counting_records(org, month, month)
            .filter(plan_item__isnull=True)
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    planned = Counter(
        dict(
            PlanItem.objects.filter(
                plan__org=org, plan__month=month, plan__status=MonthlyPlan.Status.APPROVED
            )
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    required: Counter[str] = Counter()
    credited: Counter[str] = Counter()
    for req in reqs:
        if not due_in(req, month):
            continue
        required[req.meeting_type] += req.min_count
        in_period = counting_records(org, req.period.start, req.period.months[-1]).filter(
            meeting_type=req.meeting_type
        )
        if req.group is not None:
            in_period = in_period.filter(group=req.group)
        credited[req.meeting_type] += min(req.min_count, in_period.count())

    att = (
        Attendance.objects.filter(record__in=counting_records(org, month, month))
        .values_list("record__meeting_type")
        .annotate(
            due=Count("id", filter=~Q(status=Attendance.Status.EXEMPT)),
            present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
        )
    )
    attendance = {t: (due, present) for t, due, present in att}

    rows = []
    types = set(required) | set(held_month) | set(planned)
    CompletionStat.objects.filter(org=org, month=month).exclude(meeting_type__in=types).delete()
    for meeting_type in sorted(types):
        due, present = attendance.get(meeting_type, (0, 0))
        row, _ = CompletionStat.objects.update_or_create(
            org=org,
            month=month,
            meeting_type=meeting_type,
            defaults={
                "org_path": org.path,
                "required": required[meeting_type],
                "planned": planned[meeting_type],
                "held": held_month[meeting_type],
                "credited": credited[meeting_type],
                "unplanned": unplanned[meeting_type],
                "attendance_due": due,
                "attendance_present": present,
            },
        )
        rows.append(row)
    return rows


def refresh_after_change(org: Organization, month: dt.date) -> None:
    """A record or plan of `month` changed: refresh that month and the months where its periods fall due."""
    month = first_of_month(month)
    months = {month}
    today = first_of_month(local_today())
    for kind in ("quarter", "half", "year"):
        last = Period.containing(kind, month).months[-1]
        if last <= today:
            months.add(last)
    for m in sorted(months):
        refresh_branch_month(org, m)


def missing_items(org: Organization, month: dt.date) -> list[str]:
    """Labels of requirements due this month and not yet met (for reminders and the 提示单)."""
    month = first_of_month(month)
    out = []
    for req in requirements(org, month):
        if not due_in(req, month):
            continue
        held = counting_records(org, req.period.start, req.period.months[-1]).filter(
            meeting_type=req.meeting_type
        )
        if req.group is not None:
            held = held.filter(group=req.group)
        if held.count() < req.min_count:
            out.append(req.label)
    return out
