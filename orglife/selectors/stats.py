"""Completion reads (完成情况): the precomputed subtree sums (CompletionRollup), never a loop over branches.

Every organization has rollup rows per month, quarter and year (orglife.services.rollups keeps them
with CompletionStat), so a node and a whole drill-down level are one indexed read of a few rows each. One branch's own reads
(its counting records, what is still missing, its yearly ledger) sit at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from orglife.models import CompletionRollup, CompletionStat, MeetingRecord, MeetingType, MonthlyPlan
from orglife.periods import MONTH, QUARTER, YEAR, Period, add_months, first_of_month
from orglife.rules import due_in, requirements
from orgs.access import scope_paths
from orgs.models import Organization
from orgs.paths import under_path_q

PERIOD_CHOICES = [(MONTH, "月度"), (QUARTER, "季度"), (YEAR, "年度")]
SUMS = ("required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present")
FIELDS = (*SUMS, "branches", "late_plans")  # the columns of a CompletionRollup row
NODE_ROW = ""  # the rollup row holding branches and late plans (orglife.services.rollups.NODE_ROW)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(part * 100 / whole, 1) if whole else None


def rate_css(value: float | None) -> str:
    if value is None:
        return "text-secondary"
    return "text-success" if value >= 90 else "text-warning-emphasis" if value >= 60 else "text-danger"


@dataclass
class Totals:
    required: int = 0
    planned: int = 0
    held: int = 0
    credited: int = 0
    unplanned: int = 0
    attendance_due: int = 0
    attendance_present: int = 0
    late_plans: int = 0
    branches: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Totals:
        return cls(**{k: row.get(k) or 0 for k in (*SUMS, "late_plans", "branches")})

    @cached_property
    def completion_rate(self) -> float | None:
        """Credited meetings over required ones (每项要求最多计满，不因多开而超过100%)."""
        return rate(self.credited, self.required)

    @cached_property
    def attendance_rate(self) -> float | None:
        return rate(self.attendance_present, self.attendance_due)

    @property
    def completion_css(self) -> str:
        return rate_css(self.completion_rate)

    @property
    def attendance_css(self) -> str:
        return rate_css(self.attendance_rate)

    @property
    def missing(self) -> int:
        return self.required - self.credited

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in (*SUMS, "late_plans", "branches")}
        out["completion_rate"] = self.completion_rate
        out["attendance_rate"] = self.attendance_rate
        return out


@dataclass
class NodeRow:
    org: Organization
    totals: Totals


@dataclass
class TypeRow:
    meeting_type: str
    label: str
    totals: Totals


@dataclass
class Completion:
    node: Organization
    period: Period
    totals: Totals
    by_type: list[TypeRow]
    rows: list[NodeRow] = field(default_factory=list)
    level: int = 1

    def chart_data(self) -> dict[str, Any]:
        return chart_data(self.rows, f"{self.period.label}完成情况")


def period_of(kind: str, month: dt.date) -> Period:
    return Period.containing(kind if kind in (MONTH, QUARTER, YEAR) else MONTH, first_of_month(month))


def _rollups(org_ids: list[int], period: Period) -> dict[int, Totals]:
    """The subtree totals of each organization for the period: its CompletionRollup rows, one indexed read."""
    out: dict[int, Totals] = {}
    rows = CompletionRollup.objects.filter(org_id__in=org_ids, kind=period.kind, start=period.start)
    for org_id, *values in rows.values_list("org_id", *FIELDS):
        totals = out.setdefault(org_id, Totals())
        for name, v in zip(FIELDS, values, strict=True):
            setattr(totals, name, getattr(totals, name) + v)
    return out


def node_totals(node: Organization, period: Period) -> Totals:
    """The node's totals on their own (its subtree's, from its rollup rows)."""
    return _rollups([node.pk], period).get(node.pk, Totals())


def type_rows(node: Organization, period: Period) -> list[TypeRow]:
    """Required, planned, held… per meeting type over the node's subtree (the node's rollup rows by type)."""
    rows = CompletionRollup.objects.filter(org=node, kind=period.kind, start=period.start).exclude(
        meeting_type=NODE_ROW
    )
    grouped = {
        row["meeting_type"]: row for row in rows.values("meeting_type", *SUMS) if any(row[f] for f in SUMS)
    }
    return [
        TypeRow(value, label, Totals.from_row(grouped[value]))
        for value, label in MeetingType.choices
        if value in grouped
    ]


def level_nodes(node: Organization, level: int = 1) -> QuerySet[Organization]:
    """The organizations `level` steps below the node (党小组 excluded: their meetings are the branch's).

    Found down the parent links (an index each step), not as the subtree's path range filtered by depth:
    at a province's root that range is the whole tree, a scan of every organization per request."""
    return (
        Organization.objects.filter(**{"__".join(["parent"] * level) + "_id": node.pk})
        .exclude(kind=Organization.Kind.GROUP)
        .only("pk", "path", "depth", "name", "short_name", "kind")
        .order_by("path")
    )


def _rows(nodes: list[Organization], totals: dict[int, Totals]) -> list[NodeRow]:
    return [NodeRow(org, totals.get(org.pk) or Totals()) for org in nodes]


def level_rows(node: Organization, period: Period, level: int = 1) -> list[NodeRow]:
    """One row per organization `level` steps below the node: each one's own subtree rollup."""
    nodes = list(level_nodes(node, level))
    return _rows(nodes, _rollups([o.pk for o in nodes], period))


def completion(node: Organization, period: Period, *, level: int = 1) -> Completion:
    """Totals, per type and per organization of a level below: the level's nodes, then one read of the
    rollup rows of the node and of those organizations (orglife.services.rollups keeps them)."""
    nodes = list(level_nodes(node, level))
    rows = CompletionRollup.objects.filter(
        org_id__in=[node.pk, *(o.pk for o in nodes)], kind=period.kind, start=period.start
    ).values_list("org_id", "meeting_type", *FIELDS)
    totals: dict[int, Totals] = {}
    by_type: dict[str, Totals] = {}
    for org_id, meeting_type, *values in rows:
        into = [totals.setdefault(org_id, Totals())]
        if org_id == node.pk and meeting_type != NODE_ROW and any(values):
            into.append(by_type.setdefault(meeting_type, Totals()))
        for t in into:
            for name, v in zip(FIELDS, values, strict=True):
                setattr(t, name, getattr(t, name) + v)
    return Completion(
        node=node,
        period=period,
        totals=totals.get(node.pk) or Totals(),
        by_type=[
            TypeRow(value, label, by_type[value]) for value, label in MeetingType.choices if value in by_type
        ],
        rows=_rows(nodes, totals),
        level=level,
    )


def max_level(node: Organization) -> int:
    """How many levels of drill-down rows the node offers (at most 3, for a province or city)."""
    below = Organization.objects.filter(under_path_q(node.path)).exclude(kind=Organization.Kind.GROUP)
    for level in (3, 2, 1):
        if below.filter(depth=node.depth + level).exists():
            return level
    return 0


def period_records(org: Organization, period: Period) -> QuerySet[MeetingRecord]:
    """The branch's records of the period, newest first (the last step of the drill-down)."""
    return (
        MeetingRecord.objects.filter(org=org, month__gte=period.start, month__lte=period.months[-1])
        .select_related("group")
        .annotate(
            present=Count("attendance", filter=Q(attendance__status="present")),
            due=Count("attendance", filter=~Q(attendance__status="exempt")),
        )
        .order_by("-started_at", "-id")
    )


# ---------------------------------------------------------------- the dashboard chart


def default_node(user: User) -> Organization | None:
    """The node a user's pages start from: the single root of their scope (or the tree's first root)."""
    paths = scope_paths(user)
    if paths is None:
        return Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if not paths:
        return None
    return Organization.objects.filter(path=paths[0]).first()


def chart_data(rows: list[NodeRow], title: str) -> dict[str, Any]:
    return {
        "title": title,
        "labels": [r.org.display_name for r in rows],
        "ids": [r.org.pk for r in rows],
        "rates": [r.totals.completion_rate if r.totals.completion_rate is not None else 0 for r in rows],
        "required": [r.totals.required for r in rows],
        "credited": [r.totals.credited for r in rows],
    }


@dataclass
class DashboardChart:
    node: Organization | None
    month: dt.date
    rows: list[NodeRow]

    @property
    def data(self) -> dict[str, Any]:
        return chart_data(self.rows, f"{self.month:%Y年%-m月}各党(工)委完成情况")


def dashboard_chart(user: User, month: dt.date) -> DashboardChart:
    """The month's completion by committee for the 工作台: the children of the user's scope root.

    Two queries however large the tree: the scope root with its children, and their rollup rows.
    """
    month = first_of_month(month)
    paths = scope_paths(user)
    if paths is None:  # a superuser: the tree's first root, not known before it is read
        node = default_node(user)
        if node is None:
            return DashboardChart(None, month, [])
        nodes = list(level_nodes(node, 1))
    elif not paths:
        return DashboardChart(None, month, [])
    else:  # the scope root and its children in one read (a path's depth is its length in steps)
        root = paths[0]
        # The root and, by their parent's path (indexed), its children: a UNION, as one OR would scan the
        # tree (so did the subtree's path range filtered by depth: at a province, every organization).
        children = Organization.objects.filter(parent__path=root).exclude(kind=Organization.Kind.GROUP)
        # (no ORDER BY inside the parts: SQLite refuses it in a compound statement)
        read = Organization.objects.filter(path=root).order_by().union(children.order_by()).order_by("path")
        found = list(read)
        if not found or found[0].path != root:
            return DashboardChart(None, month, [])
        node, nodes = found[0], found[1:]
    return DashboardChart(
        node, month, _rows(nodes, _rollups([o.pk for o in nodes], Period.containing(MONTH, month)))
    )


def previous_month(month: dt.date) -> dt.date:
    return add_months(first_of_month(month), -1)


# ---------------------------------------------------------------- one branch: counting records, what is missing, the ledger (台账)


def counting_records(org: Organization, start: dt.date, end: dt.date) -> QuerySet[MeetingRecord]:
    """Approved, still-counting records of the branch whose month lies in [start, end]."""
    return counting_records_of([org], start, end)


def counting_records_of(orgs: list[Organization], start: dt.date, end: dt.date) -> QuerySet[MeetingRecord]:
    """counting_records for several branches at once (a secretary's home shows each of theirs)."""
    return MeetingRecord.objects.filter(
        org__in=orgs, month__gte=start, month__lte=end, status=MeetingRecord.Status.APPROVED, counts=True
    )


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


@dataclass
class LedgerCell:
    required: int = 0
    held: int = 0

    @property
    def short(self) -> bool:
        return self.held < self.required


@dataclass
class Ledger:
    org: Organization
    year: int
    months: list[dt.date]
    types: list[tuple[str, str]]
    grid: list[tuple[dt.date, list[LedgerCell]]]
    totals: list[LedgerCell]
    records: list[Any]  # MeetingRecord annotated with present/due
    plans: list[Any]  # MonthlyPlan annotated with item_count


def ledger(org: Organization, year: int) -> Ledger:
    """Every month × meeting type (required / held), the year's records and plans: four queries."""
    months = [add_months(dt.date(year, 1, 1), i) for i in range(12)]
    stats = CompletionStat.objects.filter(org=org, month__year=year).values_list(
        "month", "meeting_type", "required", "held"
    )
    cells: dict[tuple[dt.date, str], LedgerCell] = {}
    for month, meeting_type, required, held in stats:
        cells[(month, meeting_type)] = LedgerCell(required, held)
    types = list(MeetingType.choices)
    grid = [(m, [cells.get((m, t), LedgerCell()) for t, _ in types]) for m in months]
    totals = [
        LedgerCell(sum(row[i].required for _, row in grid), sum(row[i].held for _, row in grid))
        for i in range(len(types))
    ]
    records = list(
        MeetingRecord.objects.filter(org=org, month__year=year)
        .select_related("group")
        .annotate(
            present=Count("attendance", filter=Q(attendance__status="present")),
            due=Count("attendance", filter=~Q(attendance__status="exempt")),
        )
        .order_by("started_at", "id")
    )
    plans = list(
        MonthlyPlan.objects.filter(org=org, month__year=year)
        .annotate(item_count=Count("items"))
        .order_by("month")
    )
    return Ledger(org, year, months, types, grid, totals, records, plans)
