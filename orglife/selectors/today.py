"""A branch's to-do list for its secretary's home: what the plan and the rules ask this month, what is
overdue, records to approve or fix, findings to rectify, and next month's plan to file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orglife.models import MeetingRecord, MonthlyPlan, PlanItem, Rectification
from orglife.periods import MONTH, add_months, first_of_month
from orglife.rules import Requirement, due_in, groups_of, requirements, ruleset_for
from orglife.selectors.stats import counting_records
from orglife.services.plans import Window, filing_window
from orgs.models import Organization


@dataclass
class Due:
    """One requirement of the rules in its period: how many are held against how many are asked."""

    label: str
    period: str
    held: int
    required: int
    ends: dt.date
    overdue: bool = False

    @property
    def met(self) -> bool:
        return self.held >= self.required


@dataclass
class BranchToday:
    org: Organization
    today: dt.date
    month: dt.date
    due: list[Due]
    overdue: list[Due]
    planned: list[PlanItem]  # this month's plan items not yet recorded
    plan: MonthlyPlan | None
    next_month: dt.date
    next_plan: MonthlyPlan | None
    next_window: Window
    awaiting: list[MeetingRecord]  # submitted, waiting for the secretary
    returned: list[MeetingRecord]  # sent back, to be fixed
    drafts: list[MeetingRecord]
    rectifications: list[Rectification] = field(default_factory=list)

    @property
    def next_plan_to_file(self) -> bool:
        return self.next_plan is None or self.next_plan.status in (
            MonthlyPlan.Status.DRAFT,
            MonthlyPlan.Status.RETURNED,
        )

    @property
    def open_count(self) -> int:
        return (
            sum(not d.met for d in self.due)
            + len(self.overdue)
            + len(self.awaiting)
            + len(self.returned)
            + len(self.rectifications)
            + int(self.next_plan_to_file)
        )


def _held(org: Organization, req: Requirement) -> int:
    held = counting_records(org, req.period.start, req.period.months[-1]).filter(
        meeting_type=req.meeting_type
    )
    if req.group is not None:
        held = held.filter(group=req.group)
    return held.count()


def _dues(org: Organization, month: dt.date, groups: list[Organization]) -> list[Due]:
    out = []
    for req in requirements(org, month, ruleset=ruleset_for(month), groups=groups):
        if due_in(req, month):
            period = "" if req.period.kind == MONTH else req.period.label
            out.append(Due(req.label, period, _held(org, req), req.min_count, req.period.end))
    return sorted(out, key=lambda d: d.met)  # what is still to do first


def branch_today(org: Organization, today: dt.date) -> BranchToday:
    month = first_of_month(today)
    last_month = add_months(month, -1)
    next_month = add_months(month, 1)
    groups = groups_of(org)
    due = _dues(org, month, groups)
    overdue = [d for d in _dues(org, last_month, groups) if not d.met]
    for d in overdue:
        d.overdue = True
    plans = {p.month: p for p in MonthlyPlan.objects.filter(org=org, month__in=[month, next_month])}
    plan = plans.get(month)
    planned = []
    if plan is not None:
        planned = list(
            plan.items.filter(records__isnull=True).select_related("group").order_by("planned_on", "id")
        )
    records = MeetingRecord.objects.filter(org=org).select_related("group")
    awaiting = list(records.filter(status=MeetingRecord.Status.SUBMITTED).order_by("started_at")[:20])
    returned = list(records.filter(status=MeetingRecord.Status.RETURNED).order_by("started_at")[:20])
    drafts = list(records.filter(status=MeetingRecord.Status.DRAFT).order_by("started_at")[:20])
    rectifications = list(
        Rectification.objects.filter(org=org, status=Rectification.Status.OPEN).order_by("deadline", "id")[
            :20
        ]
    )
    return BranchToday(
        org=org,
        today=today,
        month=month,
        due=due,
        overdue=overdue,
        planned=planned,
        plan=plan,
        next_month=next_month,
        next_plan=plans.get(next_month),
        next_window=filing_window(next_month),
        awaiting=awaiting,
        returned=returned,
        drafts=drafts,
        rectifications=rectifications,
    )
