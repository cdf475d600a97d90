"""Annual totals and what a year is judged by: the thresholds in force, the pass line, the ranking,
the below-pass (约谈) list and the commendation (表扬) list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from orgs import reference
from orgs.models import Member, Organization
from points.models import Block, Catalogue, Interview, LedgerEntry, MemberYearBalance, RuleVersion
from points.periods import year_bounds

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
    """The version in force with its blocks, in one query: the version (chosen by a subquery, its catalogue by
    a nested one) LEFT JOINed with its blocks, so a version without blocks is still found. The catalogues
    are reference data, kept in the process's memory while current (orgs.reference): every write of a
    catalogue, version or block (and of the tree, which places the catalogues) bumps it."""
    path = org.path if org is not None else None
    return reference.remember(("points.thresholds", path, day), lambda: _thresholds(org, day))


def _thresholds(org: Organization | None, day: dt.date) -> Thresholds:
    catalogues = (
        Catalogue.objects.for_orgs(org) if org is not None else Catalogue.objects.order_by("org__path")
    )
    in_force = RuleVersion.objects.filter(
        catalogue=Subquery(catalogues.values("pk")[:1]),
        status=RuleVersion.Status.PUBLISHED,
        effective_from__lte=day,
    ).order_by("-effective_from", "-number")
    version_fields = [f.attname for f in RuleVersion._meta.concrete_fields]
    block_fields = [f.attname for f in Block._meta.concrete_fields]
    rows = list(
        RuleVersion.objects.filter(pk=Subquery(in_force.values("pk")[:1]))
        .order_by("blocks__order", "blocks__id")
        .values_list(*version_fields, *(f"blocks__{name}" for name in block_fields))
    )
    if not rows:
        return Thresholds(
            Decimal(settings.POINTS_PASS_MARK),
            settings.POINTS_OBJECTION_DAYS,
            settings.POINTS_COMMENDATION_TOP,
        )
    db = in_force.db
    n = len(version_fields)
    version = RuleVersion.from_db(db, version_fields, rows[0][:n])
    blocks = []
    for row in rows:
        if row[n] is not None:  # the block's id: None when the version has no blocks (the LEFT JOIN's row)
            block = Block.from_db(db, block_fields, row[n:])
            block.version = version
            blocks.append(block)
    # What prefetch_related("blocks") leaves behind: version.blocks.all() answers from these rows.
    related = version.blocks.all()
    related._result_cache = blocks
    related._prefetch_done = True  # type: ignore[attr-defined]
    version._prefetched_objects_cache = {"blocks": related}  # type: ignore[attr-defined]
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


def with_year_blocks(totals: QuerySet[Member]) -> QuerySet[Member]:
    """annual_totals with each member's yearly balance blocks (`year_blocks`, for block_points) read from the
    same balance row as the total."""
    return totals.annotate(year_blocks=F("yb__blocks"))


def block_points(blocks: dict[str, Any] | None) -> dict[str, Decimal]:
    return {code: Decimal(str(points)) for code, points in (blocks or {}).items()}


def block_totals(member_ids: list[int], year: int) -> dict[int, dict[str, Decimal]]:
    """Points per block code for a page of members, from their yearly balances."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for member_id, blocks in MemberYearBalance.objects.filter(
        member_id__in=member_ids, year=year
    ).values_list("member_id", "blocks"):
        out[member_id] = block_points(blocks)
    return out
