"""A branch's to-do list for its secretary's home: what the plan and the rules ask this month, what is
overdue, records to approve or fix, findings to rectify, and next month's plan to file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, F, Model, QuerySet
from django.db.models import Window as Over
from django.db.models.functions import RowNumber

from orglife.models import MeetingRecord, MonthlyPlan, PlanItem, Rectification, RuleSet
from orglife.periods import MONTH, Period, add_months, first_of_month
from orglife.rules import due_in, requirements, rulesets_for
from orglife.selectors.stats import counting_records_of
from orglife.services.plans import Window, filing_window
from orgs.models import Organization

_M = TypeVar("_M", bound=Model)


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


_OPEN_RECORDS = (MeetingRecord.Status.SUBMITTED, MeetingRecord.Status.RETURNED, MeetingRecord.Status.DRAFT)
_SHOWN = 20  # of each list, per branch


def _first_per(
    qs: QuerySet[_M], partition: tuple[str, ...], order: tuple[str, ...], partitions: int
) -> list[_M]:
    """The first _SHOWN rows of each partition (at most `partitions` of them), in `order`, in one query.

    Open records and findings are few, so all of them are read when they fit in _SHOWN per partition; only
    when there are more does the database rank them (a window function, several times dearer to compile).
    """
    limit = _SHOWN * partitions
    rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) > limit:
        ranked = qs.annotate(
            rank=Over(
                RowNumber(), partition_by=[F(p) for p in partition], order_by=[F(o).asc() for o in order]
            )
        )
        return list(ranked.filter(rank__lte=_SHOWN).order_by(*order))
    seen: dict[tuple[object, ...], int] = {}
    out = []
    for row in rows:
        key = tuple(getattr(row, p) for p in partition)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= _SHOWN:
            out.append(row)
    return out


def _dues(
    org: Organization,
    month: dt.date,
    ruleset: RuleSet,
    groups: list[Organization],
    counts: dict[tuple[int, str, int | None, dt.date], int],
) -> list[Due]:
    out = []
    for req in requirements(org, month, ruleset=ruleset, groups=groups):
        if due_in(req, month):
            period = "" if req.period.kind == MONTH else req.period.label
            months = set(req.period.months)
            held = sum(
                n
                for (org_id, kind, group, m), n in counts.items()
                if org_id == org.pk
                and kind == req.meeting_type
                and m in months
                and (req.group is None or group == req.group.pk)
            )
            out.append(Due(req.label, period, held, req.min_count, req.period.end))
    return sorted(out, key=lambda d: d.met)  # what is still to do first


def _held_counts(
    orgs: list[Organization], months: list[dt.date], rulesets: dict[dt.date, RuleSet]
) -> dict[tuple[int, str, int | None, dt.date], int]:
    """Counting records by (branch, meeting type, group, month) over every period due in `months`: one query."""
    starts = [Period.containing(rule.period, m).start for m in months for rule in rulesets[m].rules.all()]
    if not starts:
        return {}
    rows = (
        counting_records_of(orgs, min(starts), max(months))
        .order_by()
        .values_list("org_id", "meeting_type", "group_id", "month")
        .annotate(n=Count("id"))
    )
    return {(org_id, kind, group, m): n for org_id, kind, group, m, n in rows}


_PLAN_FIELDS = tuple(f.attname for f in MonthlyPlan._meta.concrete_fields)
_ITEM_FIELDS = tuple(f.attname for f in PlanItem._meta.concrete_fields)
_GROUP_FIELDS = ("id", "name", "short_name")  # what the to-do list shows of an item's 党小组 (display_name)


def _plans_with_unrecorded_items(
    orgs: list[Organization], month: dt.date, next_month: dt.date
) -> tuple[dict[tuple[int, dt.date], MonthlyPlan], dict[int, list[PlanItem]]]:
    """This and next month's plans of the branches, and this month's plan items not yet recorded (each with
    its 党小组), in one query: the plans left-joined with their items, the items' groups and their records."""
    rows = (
        MonthlyPlan.objects.filter(org__in=orgs, month__in=[month, next_month])
        .order_by("items__planned_on", "items__id")
        .values_list(
            *_PLAN_FIELDS,
            *(f"items__{name}" for name in _ITEM_FIELDS),
            *(f"items__group__{name}" for name in _GROUP_FIELDS),
            "items__records__id",
        )
    )
    plans: dict[tuple[int, dt.date], MonthlyPlan] = {}
    items: dict[int, PlanItem] = {}
    recorded: set[int] = set()
    a, b = len(_PLAN_FIELDS), len(_PLAN_FIELDS) + len(_ITEM_FIELDS)
    c = b + len(_GROUP_FIELDS)
    for row in rows:
        plan_values, item_values, group_values, record_id = row[:a], row[a:b], row[b:c], row[c]
        plan = MonthlyPlan.from_db("default", list(_PLAN_FIELDS), list(plan_values))
        plan = plans.setdefault((plan.org_id, plan.month), plan)
        item_id = item_values[_ITEM_FIELDS.index("id")]
        if item_id is None or plan.month != month:
            continue
        if record_id is not None:
            recorded.add(item_id)
        if item_id not in items:
            item = PlanItem.from_db("default", list(_ITEM_FIELDS), list(item_values))
            item.plan = plan
            if group_values[0] is not None:
                item.group = Organization.from_db("default", list(_GROUP_FIELDS), list(group_values))
            items[item_id] = item
    planned: dict[int, list[PlanItem]] = {}
    for item_id, item in items.items():  # in planned_on, id order, as read
        if item_id not in recorded:
            planned.setdefault(item.plan_id, []).append(item)
    return plans, planned


def branches_today(
    orgs: list[Organization], today: dt.date, groups: dict[int, list[Organization]] | None = None
) -> list[BranchToday]:
    """Each branch's to-do list, in a fixed number of queries however many branches the secretary keeps.

    `groups` (branch pk → its active 党小组) saves their look-up when the caller read them with the branches.
    """
    if not orgs:
        return []
    month = first_of_month(today)
    last_month = add_months(month, -1)
    next_month = add_months(month, 1)
    if groups is None:
        groups = {org.pk: [] for org in orgs}
        for group in Organization.objects.filter(
            parent__in=orgs, kind=Organization.Kind.GROUP, is_active=True
        ).order_by("path"):
            groups[group.parent_id].append(group)  # type: ignore[index]
    rulesets = rulesets_for([last_month, month])
    counts = _held_counts(orgs, [last_month, month], rulesets)
    plans, planned = _plans_with_unrecorded_items(orgs, month, next_month)
    records: dict[tuple[int, str], list[MeetingRecord]] = {}
    open_records = MeetingRecord.objects.filter(org__in=orgs, status__in=_OPEN_RECORDS).select_related(
        "group"
    )
    for record in _first_per(
        open_records, ("org_id", "status"), ("started_at", "id"), len(orgs) * len(_OPEN_RECORDS)
    ):
        records.setdefault((record.org_id, record.status), []).append(record)
    rectifications: dict[int, list[Rectification]] = {}
    open_rects = Rectification.objects.filter(org__in=orgs, status=Rectification.Status.OPEN)
    for rect in _first_per(open_rects, ("org_id",), ("deadline", "id"), len(orgs)):
        rectifications.setdefault(rect.org_id, []).append(rect)
    next_window = filing_window(next_month, rulesets=rulesets)
    out = []
    for org in orgs:
        branch_groups = groups.get(org.pk, [])
        overdue = [
            d for d in _dues(org, last_month, rulesets[last_month], branch_groups, counts) if not d.met
        ]
        for d in overdue:
            d.overdue = True
        plan = plans.get((org.pk, month))
        out.append(
            BranchToday(
                org=org,
                today=today,
                month=month,
                due=_dues(org, month, rulesets[month], branch_groups, counts),
                overdue=overdue,
                planned=planned.get(plan.pk, []) if plan is not None else [],
                plan=plan,
                next_month=next_month,
                next_plan=plans.get((org.pk, next_month)),
                next_window=next_window,
                awaiting=records.get((org.pk, MeetingRecord.Status.SUBMITTED), []),
                returned=records.get((org.pk, MeetingRecord.Status.RETURNED), []),
                drafts=records.get((org.pk, MeetingRecord.Status.DRAFT), []),
                rectifications=rectifications.get(org.pk, []),
            )
        )
    return out


def branch_today(org: Organization, today: dt.date) -> BranchToday:
    return branches_today([org], today)[0]
