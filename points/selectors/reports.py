"""The monthly notice's lines and the quarterly report (每季度讲评) of a branch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce

from orgs.models import Member, Organization
from points.models import Declaration, LedgerEntry, QuarterReview
from points.periods import month_bounds, quarter_bounds
from points.selectors.totals import DEC, ZERO


def month_lines(org: Organization, year: int, month: int) -> list[dict[str, Any]]:
    """A month's points per member of an organization's subtree, for the monthly notice."""
    start, end = month_bounds(year, month)
    members = Member.objects.under(org).active()
    ystart = dt.date(year, 1, 1)
    sums = (
        LedgerEntry.objects.filter(member__in=members, occurred_on__range=(ystart, end))
        .values("member_id")
        .annotate(
            year_points=Sum("points"),
            month_points=Coalesce(
                Sum("points", filter=Q(occurred_on__gte=start)), Value(ZERO), output_field=DEC
            ),
        )
        .order_by()
    )
    pending = (
        Declaration.objects.filter(
            member__in=members, occurred_on__range=(start, end), status=Declaration.Status.RECORDED
        )
        .values("member_id")
        .annotate(points=Sum("rule__points"))
        .order_by()
    )
    by_member: dict[int, dict[str, Any]] = {}
    row: Any
    for row in sums:
        by_member[row["member_id"]] = {"year_points": row["year_points"], "month_points": row["month_points"]}
    for row in pending:
        by_member.setdefault(row["member_id"], {"year_points": ZERO, "month_points": ZERO})["pending"] = row[
            "points"
        ]
    ids = list(members.values_list("pk", flat=True))
    out = []
    for member_id in ids:
        got = by_member.get(member_id, {"year_points": ZERO, "month_points": ZERO})
        out.append(
            {
                "member_id": member_id,
                "year_points": got["year_points"],
                "month_points": got["month_points"],
                "pending_points": got.get("pending", ZERO),
            }
        )
    return out


@dataclass
class QuarterRow:
    member: Member
    recorded: Decimal = ZERO
    recorded_count: int = 0
    waiting: int = 0
    confirmed: Decimal = ZERO
    automatic: Decimal = ZERO


def quarter_report(branch: Organization, year: int, quarter: int) -> list[QuarterRow]:
    """每季度讲评: per member, what awaits review, what is confirmed and what came in automatically."""
    start, end = quarter_bounds(year, quarter)
    rows = {m.pk: QuarterRow(m) for m in Member.objects.filter(org=branch).active().order_by("pk")}
    decls = Declaration.objects.filter(org=branch, occurred_on__range=(start, end)).select_related(
        "rule", "member"
    )
    for d in decls:
        row = rows.setdefault(d.member_id, QuarterRow(d.member))
        if d.status == Declaration.Status.RECORDED:
            row.recorded += d.rule.points
            row.recorded_count += 1
        elif d.status == Declaration.Status.DECLARED:
            row.waiting += 1
    entries = (
        LedgerEntry.objects.filter(member_id__in=rows.keys(), occurred_on__range=(start, end))
        .values_list("member_id", "source_type")
        .annotate(points=Sum("points"))
        .order_by()
    )
    for member_id, source, points in entries:
        if source == LedgerEntry.Source.DECLARATION:
            rows[member_id].confirmed += points
        else:
            rows[member_id].automatic += points
    return sorted(rows.values(), key=lambda r: (-(r.confirmed + r.automatic + r.recorded), r.member.pk))


def review_of(branch: Organization, year: int, quarter: int) -> QuarterReview | None:
    return (
        QuarterReview.objects.filter(branch=branch, year=year, quarter=quarter)
        .select_related("confirmed_by")
        .first()
    )
