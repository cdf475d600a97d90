"""Reads for the organization and member pages that span several models or need grouping."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Value

from orgs.access import scope_paths
from orgs.models import Member, Organization, Position
from orgs.paths import subtree_q
from orgs.structure import Warning, problem_list

WARNING_LABELS = {
    "too_few": "正式党员不足3人",
    "too_many": "党员超过50人",
    "no_committee": "应设未设支委会",
    "term_expired": "届期已满未换届",
    "term_expiring": "届期即将届满",
}


def visible_orgs(user: Any) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user).filter(is_active=True)


def visible_members(user: Any) -> QuerySet[Member]:
    return Member.objects.visible_to(user).select_related("org", "party_group")


def writable_orgs(user: Any, *, with_groups: bool = False) -> QuerySet[Organization]:
    """Organizations the user may write, as form choices (党小组 excluded unless asked for)."""
    qs = Organization.objects.visible_to(user, write=True).filter(is_active=True)
    if not with_groups:
        qs = qs.exclude(kind=Organization.Kind.GROUP)
    return qs


@dataclass
class Dashboard:
    orgs_by_kind: list[tuple[str, int]]
    org_total: int
    branches: int
    members: int
    full: int
    probationary: int
    warnings_by_type: list[tuple[str, int]]
    warning_orgs: int

    def chart_data(self) -> dict[str, Any]:
        return {
            "category": [
                {"name": Member.Category.FULL.label, "value": self.full},
                {"name": Member.Category.PROBATIONARY.label, "value": self.probationary},
            ],
            "kinds": {
                "labels": [k for k, _ in self.orgs_by_kind],
                "values": [n for _, n in self.orgs_by_kind],
            },
            "warnings": {
                "labels": [k for k, _ in self.warnings_by_type],
                "values": [n for _, n in self.warnings_by_type],
            },
        }


def dashboard(user: Any, today: dt.date) -> Dashboard:
    """Counts for the 工作台 over the user's scope: two statements of GROUP BY, no loop over members."""
    # Organizations by kind and active members by category: two grouped counts of one shape, one UNION ALL.
    kinds = (
        visible_orgs(user)
        .order_by()
        .annotate(key=F("kind"))
        .values("key")
        .annotate(part=Value("k"), n=Count("id"))
        .values_list("part", "key", "n")
    )
    categories = (
        Member.objects.visible_to(user)
        .active()
        .order_by()
        .annotate(key=F("category"))
        .values("key")
        .annotate(part=Value("c"), n=Count("id"))
        .values_list("part", "key", "n")
    )
    kind_counts: dict[str, int] = {}
    category_counts: dict[str, int] = {}
    for part, key, n in kinds.union(categories, all=True):
        (kind_counts if part == "k" else category_counts)[key] = n
    orgs_by_kind = [(label, kind_counts.get(value, 0)) for value, label in Organization.Kind.choices]
    problems = problem_list(visible_orgs(user), today)
    by_code = Counter(w.code for _, warnings in problems for w in warnings)
    full = category_counts.get(Member.Category.FULL, 0)
    probationary = category_counts.get(Member.Category.PROBATIONARY, 0)
    return Dashboard(
        orgs_by_kind=orgs_by_kind,
        org_total=sum(kind_counts.values()),
        branches=sum(kind_counts.get(k, 0) for k in Organization.BRANCH_KINDS),
        members=full + probationary,
        full=full,
        probationary=probationary,
        warnings_by_type=[(label, by_code.get(code, 0)) for code, label in WARNING_LABELS.items()],
        warning_orgs=len(problems),
    )


def subtree_member_counts(orgs: list[Organization]) -> dict[int, int]:
    """Active members under each given organization (its whole subtree), in one grouped query."""
    if not orgs:
        return {}
    paths = sorted({o.path for o in orgs})
    q = subtree_q(paths, "org__path")
    per_path = Member.objects.active().filter(q).order_by().values_list("org__path").annotate(n=Count("id"))
    totals = dict.fromkeys((o.pk for o in orgs), 0)
    for path, n in per_path.values_list("org__path", "n"):
        for o in orgs:
            if path.startswith(o.path):
                totals[o.pk] += n
    return totals


def category_counts(org: Organization) -> dict[str, int]:
    """Active members under org (whole subtree) by 人员类别, plus the total."""
    rows = dict(
        Member.objects.active()
        .under(org)
        .order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return {
        "full": rows.get(Member.Category.FULL, 0),
        "probationary": rows.get(Member.Category.PROBATIONARY, 0),
        "total": sum(rows.values()),
    }


def current_positions(org: Organization) -> QuerySet[Position]:
    return Position.objects.current().filter(org=org).select_related("member").order_by("title", "started_on")


@dataclass
class TreeNode:
    org: Organization
    has_children: bool
    children: list[TreeNode] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return bool(self.children)


def _tree_qs(user: Any) -> QuerySet[Organization]:
    kids = Organization.objects.filter(parent=OuterRef("pk"), is_active=True).exclude(
        kind=Organization.Kind.GROUP
    )
    return (
        visible_orgs(user)
        .exclude(kind=Organization.Kind.GROUP)
        .annotate(has_kids=Exists(kids))
        .only("id", "name", "short_name", "kind", "path", "parent_id")
    )


def tree_children(user: Any, parent: Organization | None) -> list[TreeNode]:
    """One level of the organization tree (党小组 left out): the parent's children, or the user's roots."""
    qs = _tree_qs(user)
    if parent is not None:
        qs = qs.filter(parent=parent)
    else:
        paths = scope_paths(user)
        qs = qs.filter(parent__isnull=True) if paths is None else qs.filter(path__in=paths)
    return [TreeNode(org=o, has_children=o.has_kids) for o in qs.order_by("path")]  # type: ignore[attr-defined]


def tree_opened_at(user: Any, selected: Organization | None) -> list[TreeNode]:
    """The tree's roots, with the way down to the selected organization (or a lone root) opened."""
    roots = tree_children(user, None)
    if selected is None:
        if len(roots) == 1 and roots[0].has_children:
            roots[0].children = tree_children(user, roots[0].org)  # a single root starts opened
        return roots
    level = roots
    while True:
        on_way = next((n for n in level if selected.path.startswith(n.org.path)), None)
        if on_way is None or on_way.org.pk == selected.pk or not on_way.has_children:
            return roots
        on_way.children = tree_children(user, on_way.org)
        level = on_way.children


def problems(
    user: Any, today: dt.date, code: str = ""
) -> tuple[list[tuple[Organization, list[Warning]]], list[tuple[str, str, int]]]:
    """The 问题清单 of the user's scope, optionally one warning type, and the count of each type."""
    found = problem_list(visible_orgs(user), today)
    by_code = Counter(w.code for _, warnings in found for w in warnings)
    types = [(c, label, by_code.get(c, 0)) for c, label in WARNING_LABELS.items()]
    if code:
        found = [(o, [w for w in ws if w.code == code]) for o, ws in found]
        found = [(o, ws) for o, ws in found if ws]
    return found, types


def attach_parents(orgs: list[Organization]) -> None:
    """Fill `parent` on a page of organizations with one query (select_related slows the grouped query)."""
    parents = Organization.objects.in_bulk({o.parent_id for o in orgs if o.parent_id})
    for o in orgs:
        if o.parent_id:
            o.parent = parents[o.parent_id]
