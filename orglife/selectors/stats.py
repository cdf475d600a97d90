"""Completion reads (完成情况): GROUP BY over the precomputed CompletionStat rows, never a loop over branches.

A node's subtree is an indexed path range; the rows of its children (or deeper levels) are grouped
by the path prefix of that level, so a whole drill-down level is one query. One branch's own reads
(its counting records, what is still missing, its yearly ledger) sit at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr

from accounts.models import User
from orglife.models import CompletionStat, MeetingRecord, MeetingType, MonthlyPlan
from orglife.periods import MONTH, QUARTER, YEAR, Period, add_months, first_of_month
from orglife.rules import due_in, requirements
from orgs.access import scope_paths
from orgs.models import Organization
from orgs.paths import PATH_STEP, under_path_q

PERIOD_CHOICES = [(MONTH, "月度"), (QUARTER, "季度"), (YEAR, "年度")]
SUMS = ("required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present")


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


def _stats(node: Organization, period: Period) -> QuerySet[CompletionStat]:
    return CompletionStat.objects.filter(
        under_path_q(node.path, "org_path"), month__gte=period.start, month__lte=period.months[-1]
    ).order_by()


def _sums(*, branches: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {k: Sum(k) for k in SUMS}
    if branches:
        out["branches"] = Count("org_id", distinct=True)
    return out


def _late_plans(node: Organization, period: Period) -> QuerySet[MonthlyPlan]:
    return MonthlyPlan.objects.filter(
        under_path_q(node.path, "org__path"),
        month__gte=period.start,
        month__lte=period.months[-1],
        is_late=True,
    ).order_by()


def node_totals(node: Organization, period: Period) -> Totals:
    """The node's totals on their own (the completion page sums its level groups instead)."""
    totals = Totals.from_row(_stats(node, period).aggregate(**_sums(branches=True)))
    totals.late_plans = _late_plans(node, period).count()
    return totals


def type_rows(node: Organization, period: Period) -> list[TypeRow]:
    """Required, planned, held… per meeting type over the node's subtree (one grouped query)."""
    grouped = {
        row["meeting_type"]: row for row in _stats(node, period).values("meeting_type").annotate(**_sums())
    }
    return [
        TypeRow(value, label, Totals.from_row(grouped[value]))
        for value, label in MeetingType.choices
        if value in grouped
    ]


def level_nodes(node: Organization, level: int = 1) -> QuerySet[Organization]:
    """The organizations `level` steps below the node (党小组 excluded: their meetings are the branch's)."""
    return (
        Organization.objects.filter(under_path_q(node.path), depth=node.depth + level)
        .exclude(kind=Organization.Kind.GROUP)
        .only("pk", "path", "depth", "name", "short_name", "kind")
        .order_by("path")
    )


def _level_groups(
    node: Organization, period: Period, level: int
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Stats and late plans grouped by the path prefix of the organizations `level` steps below the node.

    One statement: the two grouped reads share their shape (prefix, the sums, the branches, the late plans)
    and are sent as a UNION ALL, each part tagged, then parted again here.
    """
    width = (node.depth + level) * PATH_STEP
    stats = (
        _stats(node, period)
        .annotate(prefix=Substr("org_path", 1, width))
        .values("prefix")
        .annotate(part=Value("s"), **_sums(branches=True), late=Value(0))
    )
    late = (
        _late_plans(node, period)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(part=Value("l"), **dict.fromkeys((*SUMS, "branches"), Value(0)), late=Count("id"))
    )
    by_prefix: dict[str, dict[str, Any]] = {}
    late_plans: dict[str, int] = {}
    for got in stats.union(late, all=True):
        row: dict[str, Any] = dict(got)
        if row.pop("part") == "l":
            late_plans[row["prefix"]] = row["late"]
        else:
            del row["late"]
            by_prefix[row["prefix"]] = row
    return by_prefix, late_plans


def _rows(
    nodes: list[Organization], by_prefix: dict[str, dict[str, Any]], late: dict[str, int]
) -> list[NodeRow]:
    out = []
    for org in nodes:
        totals = Totals.from_row(by_prefix.get(org.path, {}))
        totals.late_plans = late.get(org.path, 0)
        out.append(NodeRow(org, totals))
    return out


def level_rows(node: Organization, period: Period, level: int = 1) -> list[NodeRow]:
    """One row per organization `level` steps below the node: a GROUP BY on the path prefix of that level."""
    by_prefix, late = _level_groups(node, period, level)
    return _rows(list(level_nodes(node, level)), by_prefix, late)


def completion(node: Organization, period: Period, *, level: int = 1) -> Completion:
    """Totals, per type and per organization of a level below: three grouped queries and the level's nodes.

    The totals are the sum of every prefix group (including rows of branches that sit above the level),
    so they need no query of their own.
    """
    by_prefix, late = _level_groups(node, period, level)
    totals = Totals(**{k: sum(row.get(k) or 0 for row in by_prefix.values()) for k in (*SUMS, "branches")})
    totals.late_plans = sum(late.values())
    return Completion(
        node=node,
        period=period,
        totals=totals,
        by_type=type_rows(node, period),
        rows=_rows(list(level_nodes(node, level)), by_prefix, late),
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

    Two queries however large the tree: the scope root with its children, and the grouped stats with the
    grouped late plans (_level_groups).
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
        read = Organization.objects.filter(
            Q(path=root)
            | (under_path_q(root) & Q(depth=len(root) // PATH_STEP + 1) & ~Q(kind=Organization.Kind.GROUP))
        ).order_by("path")
        found = list(read)
        if not found or found[0].path != root:
            return DashboardChart(None, month, [])
        node, nodes = found[0], found[1:]
    by_prefix, late = _level_groups(node, Period.containing(MONTH, month), 1)
    return DashboardChart(node, month, _rows(nodes, by_prefix, late))


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
