"""One member's file (一人一档), the scoped fetch of a member for a points page, and what a member may
declare."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Min, Sum
from django.http import Http404

from accounts.models import User
from orgs.access import NOT_FOUND, scope_q
from orgs.models import Member, Organization
from points.models import Declaration, Interview, LedgerEntry, PointRule
from points.periods import year_bounds
from points.sections import FileSection, file_sections
from points.selectors.totals import ZERO, Thresholds, is_below_pass, thresholds


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
    # What the apps above points keep about the member's year (points.sections): 学时, videos, 一人一册…
    sections: list[FileSection] = field(default_factory=list)

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
    return MemberFile(
        member,
        year,
        list(blocks.values()),
        total,
        t,
        attendance,
        pending,
        interview,
        file_sections(member, year),
    )


@dataclass
class MemberSummary:
    """A member's year by block, without the entries: what the start pages show (the file has the rest)."""

    member: Member
    year: int
    blocks: list[BlockLine]
    thresholds: Thresholds

    @property
    def total(self) -> Decimal:
        return sum((b.points for b in self.blocks), ZERO)

    @property
    def below_pass(self) -> bool:
        return is_below_pass(self.total, self.thresholds.pass_mark)


@dataclass
class _BlockSum(BlockLine):
    summed: Decimal = ZERO

    @property
    def points(self) -> Decimal:
        return self.summed


def member_summary(member: Member, year: int) -> MemberSummary:
    """member_file's blocks and total from one aggregate over the ledger (plus the thresholds' two queries)."""
    start, end = year_bounds(year)
    t = thresholds(member.org, end)
    blocks: dict[str, _BlockSum] = {}
    if t.version:
        for b in t.version.blocks.all():
            blocks[b.code] = _BlockSum(b.code, b.name, b.cap)
    sums = (
        LedgerEntry.objects.filter(member=member, occurred_on__range=(start, end))
        .order_by()
        .values_list("block_code")
        .annotate(block_name=Min("rule__block__name"), summed=Sum("points"), first=Min("occurred_on"))
        .order_by("first", "block_code")
    )
    places = Decimal(1).scaleb(-LedgerEntry._meta.get_field("points").decimal_places)  # type: ignore[arg-type]
    for code, name, summed, _first in sums:
        # SQLite returns a sum without the column's scale (25, not 25.0): shown as the file shows it.
        blocks.setdefault(code, _BlockSum(code, name, None)).summed = summed.quantize(places)
    return MemberSummary(member, year, list(blocks.values()), t)


def current_rules(org: Organization, day: dt.date) -> list[PointRule]:
    """Items a member of `org` can declare on `day`."""
    t = thresholds(org, day)
    if t.version is None:
        return []
    return [r for r in t.version.rules.select_related("block").filter(declarable=True) if r.active_on(day)]
