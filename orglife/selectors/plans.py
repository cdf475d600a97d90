"""Reads for the plan pages and API: the status board, the review queue, a user's own branches."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Count, OuterRef, QuerySet, Subquery, Value, When

from accounts.models import User
from orglife.models import MonthlyPlan
from orglife.rules import LIFE_KINDS
from orglife.services.plans import BRANCH_ROLES, REVIEW_ROLES
from orgs.access import grants, holds, scope_paths
from orgs.models import Organization
from orgs.paths import subtree_q

STATE_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "returned": "已退回",
    "draft": "未提交（草稿）",
    "missing": "未报送",
}
STATE_STYLES = {
    "on_time": "success",
    "late": "warning",
    "returned": "danger",
    "draft": "secondary",
    "missing": "dark",
}


def life_orgs(user: User) -> QuerySet[Organization]:
    """Branches (and 党总支) the user can see, which owe a monthly plan."""
    return Organization.objects.visible_to(user).filter(kind__in=LIFE_KINDS, is_active=True)


def own_branches(user: User) -> list[Organization]:
    """Branches where the user holds a role on the branch itself (a secretary's or admin's own branch)."""
    paths = {path for _, path in grants(user)}
    return list(
        Organization.objects.filter(path__in=paths, kind__in=LIFE_KINDS, is_active=True).order_by("path")
    )


def board(user: User, month: dt.date) -> QuerySet[Organization]:
    """Every branch in the user's scope with its plan for `month` and a `state` (see STATE_LABELS)."""
    plan = MonthlyPlan.objects.filter(org=OuterRef("pk"), month=month)
    return (
        life_orgs(user)
        .select_related("parent")
        .annotate(
            plan_id=Subquery(plan.values("pk")[:1]),
            plan_status=Subquery(plan.values("status")[:1]),
            plan_late=Subquery(plan.values("is_late")[:1]),
            plan_submitted_at=Subquery(plan.values("submitted_at")[:1]),
            plan_reviewed_at=Subquery(plan.values("reviewed_at")[:1]),
        )
        .annotate(
            state=Case(
                When(plan_id__isnull=True, then=Value("missing")),
                When(plan_status=MonthlyPlan.Status.DRAFT, then=Value("draft")),
                When(plan_status=MonthlyPlan.Status.RETURNED, then=Value("returned")),
                When(plan_late=True, then=Value("late")),
                default=Value("on_time"),
                output_field=CharField(),
            )
        )
        .order_by("path")
    )


def board_counts(rows: QuerySet[Organization]) -> dict[str, int]:
    key = "state"  # the board's annotation
    found = {row[key]: row["n"] for row in rows.order_by().values(key).annotate(n=Count("id"))}
    return {state: found.get(state, 0) for state in STATE_LABELS}


def committees(user: User) -> QuerySet[Organization]:
    """党(工)委 and 党总支 in scope that have branches below: the board's committee filter."""
    kinds = (*Organization.COMMITTEE_KINDS, Organization.Kind.GENERAL_BRANCH)
    return Organization.objects.visible_to(user).filter(kind__in=kinds, is_active=True).order_by("path")


def review_queue(user: User) -> QuerySet[MonthlyPlan]:
    """Submitted plans under the user's scope, without the plans of the user's own branches."""
    qs = (
        MonthlyPlan.objects.visible_to(user)
        .filter(status=MonthlyPlan.Status.SUBMITTED)
        .select_related("org", "org__parent")
        .order_by("month", "submitted_at", "id")
    )
    if scope_paths(user) is None:
        return qs
    own = [p for r, p in grants(user) if r in BRANCH_ROLES]
    if own:
        qs = qs.exclude(subtree_q(own, "org__path"))
    return qs


def is_reviewer(user: User) -> bool:
    return holds(user, REVIEW_ROLES)


def plans_of(org: Organization) -> QuerySet[MonthlyPlan]:
    return MonthlyPlan.objects.filter(org=org).order_by("-month")
