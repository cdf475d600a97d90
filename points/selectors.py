"""Reads spanning several models: annual totals and ranking, the below-pass list, commendations, weekly
statistics, the quarterly report and one member's file (一人一档)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from orgs.access import NOT_FOUND, scope_q
from orgs.models import Member, Organization
from points.models import (
    Block,
    Catalogue,
    Declaration,
    Interview,
    LedgerEntry,
    MemberYearBalance,
    PointRule,
    QuarterReview,
    RuleVersion,
    WeeklyStat,
)
from points.periods import month_bounds, quarter_bounds, year_bounds

ZERO = Decimal("0")
DEC = DecimalField(max_digits=9, decimal_places=1)


@dataclass
class Thresholds:
    """What a year is judged by: from the catalogue version in force at year end, else from settings."""

    pass_mark: Decimal
    objection_days: int
    commendation_top: int
    version: RuleVersion | None = None


def thresholds(org: Organization | None, day: dt.date) -> Thresholds:
    catalogue = (
        Catalogue.objects.for_org(org) if org is not None else Catalogue.objects.order_by("org__path").first()
    )
    version = catalogue.version_on(day) if catalogue else None
    if version is None:
        return Thresholds(
            Decimal(settings.POINTS_PASS_MARK),
            settings.POINTS_OBJECTION_DAYS,
            settings.POINTS_COMMENDATION_TOP,
        )
    return Thresholds(version.pass_mark, version.objection_days, version.commendation_top, version)


def blocks_for(org: Organization | None, day: dt.date) -> list[Block]:
    t = thresholds(org, day)
    return list(t.version.blocks.all()) if t.version else []


def annual_totals(members: QuerySet[Member], year: int) -> QuerySet[Member]:
    """Members with `total` = their balance for the year (0 without one), best first.

    Reads MemberYearBalance, kept in step with the ledger by every write: a LEFT JOIN on (member, year)
    with no aggregate, so members without entries are there with 0 and the database sorts, not sums.
    """
    return (
        members.only("id", "name", "org_id")  # attach_orgs() fetches the page's orgs
        .annotate(yb=FilteredRelation("point_balances", condition=Q(point_balances__year=year)))
        .annotate(total=Coalesce(F("yb__total"), Value(ZERO), output_field=DEC))
        .order_by("-total", "pk")
    )


def ledger_totals(members: QuerySet[Member], year: int) -> QuerySet[Member]:
    """The same as annual_totals, summed from the ledger itself (for checks and the benchmark)."""
    start, end = year_bounds(year)
    return (
        members.only("id", "name", "org_id")
        .annotate(
            yr=FilteredRelation("point_entries", condition=Q(point_entries__occurred_on__range=(start, end)))
        )
        .annotate(total=Coalesce(Sum("yr__points"), Value(ZERO), output_field=DEC))
        .order_by("-total", "pk")
    )


# The pass line, defined once for Python values and for annotated querysets. A member whose annual
# total is strictly below the pass mark (59.5 is below 60; 60 is not) is interviewed (约谈) and is
# ineligible for 评优评先 that year (points.defaults.PASS_MARK gives the source). Every list and
# check of either goes through these two.


def is_below_pass(total: Decimal, pass_mark: Decimal) -> bool:
    return total < pass_mark


def below_pass_q(pass_mark: Decimal) -> Q:
    """is_below_pass on members annotated with their annual `total` (annual_totals)."""
    return Q(total__lt=pass_mark)


def below_pass(members: QuerySet[Member], year: int, pass_mark: Decimal) -> QuerySet[Member]:
    """约谈名单: annual total below the pass mark, lowest first."""
    return annual_totals(members, year).filter(below_pass_q(pass_mark)).order_by("total", "pk")  # type: ignore[misc]


def eligible(members: QuerySet[Member], year: int, pass_mark: Decimal) -> QuerySet[Member]:
    """Members eligible for 评优评先: annual total at or above the pass mark, best first."""
    return annual_totals(members, year).exclude(below_pass_q(pass_mark))


def attach_orgs(members: list[Member], year: int | None = None) -> list[Member]:
    """Fetch the organizations (and, given a year, the 约谈 flag) of a page of totals in two queries."""
    prefetch_related_objects(members, "org")
    if year is not None:
        done = set(
            Interview.objects.filter(year=year, member__in=members).values_list("member_id", flat=True)
        )
        for m in members:
            m.interviewed = m.pk in done  # type: ignore[attr-defined]
    return members


def commendations(
    members: QuerySet[Member], year: int, *, top: int, pass_mark: Decimal
) -> list[tuple[Member, str]]:
    """表扬名单: the top scorers, and members with an entry from a commendable item (重要刊物发表文章),
    among those eligible for 评优评先 (not below the pass mark)."""
    start, end = year_bounds(year)
    ranked = [m for m in eligible(members, year, pass_mark)[:top] if m.total > 0]  # type: ignore[attr-defined]
    out = [(m, f"年度积分第{i}名") for i, m in enumerate(ranked, 1)]
    seen = {m.pk for m in ranked}
    published = (
        LedgerEntry.objects.live()
        .filter(member__in=members, occurred_on__range=(start, end), rule__commendable=True, points__gt=0)
        .values_list("member_id", "rule__name")
        .order_by("member_id")
    )
    reasons: dict[int, set[str]] = defaultdict(set)
    for member_id, name in published:
        reasons[member_id].add(name)
    extra = eligible(members.filter(pk__in=reasons.keys()).exclude(pk__in=seen), year, pass_mark)
    out += [(m, "、".join(sorted(reasons[m.pk]))) for m in extra]
    attach_orgs([m for m, _ in out])
    return out


def block_totals(member_ids: list[int], year: int) -> dict[int, dict[str, Decimal]]:
    """Points per block code for a page of members, from their yearly balances."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for member_id, blocks in MemberYearBalance.objects.filter(
        member_id__in=member_ids, year=year
    ).values_list("member_id", "blocks"):
        out[member_id] = {code: Decimal(str(points)) for code, points in blocks.items()}
    return out


@dataclass
class Weekly:
    """每周统计 rows (newest first) and up to which Monday they come from the Monday job's stored rows."""

    weeks: list[dict[str, Any]]
    stored_until: dt.date | None = None
    computed_at: dt.datetime | None = None

    def chart(self) -> dict[str, list[Any]]:
        rows = list(reversed(self.weeks))
        return {
            "labels": [f"{w['week']:%m-%d}" for w in rows],
            "points": [float(w["points"]) for w in rows],
            "members": [w["members"] for w in rows],
            "entries": [w["entries"] for w in rows],
        }


def weekly_stats(
    entries: QuerySet[LedgerEntry], year: int, stats: QuerySet[WeeklyStat] | None = None
) -> Weekly:
    """每周统计: points, entries and members with points per week (Monday start) of the year.

    Weeks the Monday job has already counted come from WeeklyStat (`stats`, scoped like `entries`); the
    weeks after its last run are summed from the ledger (`entries`) as they stand.
    """
    start, end = year_bounds(year)
    out = Weekly([])
    live_from = start
    if stats is not None:
        last = WeeklyStat.objects.filter(year=year).aggregate(at=Max("computed_at"))["at"]
        if last is not None:
            day = timezone.localtime(last).date()
            out.computed_at, out.stored_until = last, day - dt.timedelta(days=day.weekday())
            out.weeks = [
                dict(w)
                for w in stats.filter(year=year, week__lt=out.stored_until)
                .values("week")
                .annotate(points=Sum("points"), entries=Sum("entries"), members=Sum("members"))
                .order_by("-week")
            ]
            live_from = max(start, out.stored_until)
    live = (
        entries.filter(occurred_on__range=(live_from, end))
        .annotate(week=TruncWeek("occurred_on"))
        .values("week")
        .annotate(points=Sum("points"), entries=Count("pk"), members=Count("member_id", distinct=True))
        .order_by("-week")
    )
    out.weeks = [dict(w) for w in live] + out.weeks
    return out


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


@dataclass
class ItemLine:
    name: str
    code: str
    entries: list[LedgerEntry] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((e.points for e in self.entries), ZERO)


@dataclass
class BlockLine:
    code: str
    name: str
    cap: Decimal | None
    items: dict[str, ItemLine] = field(default_factory=dict)

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items.values()), ZERO)


@dataclass
class MemberFile:
    """一人一档: a member's year by block and item with evidence, plus attendance and what is pending."""

    member: Member
    year: int
    blocks: list[BlockLine]
    total: Decimal
    thresholds: Thresholds
    attendance: list[LedgerEntry]
    pending: list[Declaration]
    interview: Interview | None

    @property
    def below_pass(self) -> bool:
        return is_below_pass(self.total, self.thresholds.pass_mark)

    @property
    def entry_count(self) -> int:
        return sum(len(i.entries) for b in self.blocks for i in b.items.values())


def get_member_for_user(user: User | AnonymousUser, pk: Any) -> Member:
    """A member whose points a user may read: one in their tree scope, or their own (a member reads their
    own file without a tree role). Anyone else gets 404, so existence never leaks."""
    qs = Member.objects.select_related("org")
    q = scope_q(user, "org__path", own="pk")
    try:
        return (qs if q is None else qs.filter(q)).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def member_file(member: Member, year: int) -> MemberFile:
    start, end = year_bounds(year)
    t = thresholds(member.org, end)
    blocks: dict[str, BlockLine] = {}
    if t.version:
        for b in t.version.blocks.all():
            blocks[b.code] = BlockLine(b.code, b.name, b.cap)
    entries = (
        LedgerEntry.objects.filter(member=member, occurred_on__range=(start, end))
        .select_related("rule", "rule__block", "rule__version", "declaration", "recorded_by", "reviewed_by")
        .order_by("occurred_on", "pk")
    )
    attendance = []
    for e in entries:
        block = blocks.setdefault(e.block_code, BlockLine(e.block_code, e.rule.block.name, None))
        item = block.items.setdefault(e.item_code, ItemLine(e.rule.name, e.item_code))
        item.entries.append(e)
        if e.source_type == LedgerEntry.Source.ORGLIFE:
            attendance.append(e)
    total = sum((b.points for b in blocks.values()), ZERO)
    pending = list(
        Declaration.objects.filter(member=member, occurred_on__range=(start, end))
        .filter(
            status__in=[Declaration.Status.DECLARED, Declaration.Status.RECORDED, Declaration.Status.REJECTED]
        )
        .select_related("rule")
    )
    interview = Interview.objects.filter(member=member, year=year).first()
    return MemberFile(member, year, list(blocks.values()), total, t, attendance, pending, interview)


def current_rules(org: Organization, day: dt.date) -> list[PointRule]:
    """Items a member of `org` can declare on `day`."""
    t = thresholds(org, day)
    if t.version is None:
        return []
    return [r for r in t.version.rules.select_related("block").filter(declarable=True) if r.active_on(day)]
