"""Writing the ledger: which rule applies on a date, how caps cut points, automatic awards and reversals.

Every write locks the members it touches (their orgs.Member rows, in primary-key order) before it reads
what they already have, so two writers for one member cannot both see room under a cap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import holds
from orgs.models import Member, Organization
from points.models import Block, Catalogue, Declaration, LedgerEntry, PointRule, RuleVersion
from points.periods import period_keys
from points.roles import RECORD_ROLES
from points.services.balances import apply_balances

ZERO = Decimal("0")
PERIOD_LABELS = {"week": "每周", "month": "每月", "year": "每年"}


def fmt(points: Decimal) -> str:
    """2.0 → "2", 2.5 → "2.5"."""
    return format(points.normalize(), "f")


# ---------------------------------------------------------------- which rule applies


class RuleBook:
    """Resolves (organization, item code, date) to the PointRule of the version in force, with caching."""

    def __init__(self) -> None:
        self._catalogues: list[Catalogue] | None = None
        self._catalogue_by_path: dict[str, Catalogue | None] = {}
        self._versions: dict[int, list[RuleVersion]] = {}
        self._rules: dict[int, dict[str, PointRule]] = {}

    def catalogue_for(self, org: Organization) -> Catalogue | None:
        """The catalogue set on the organization's nearest ancestor (catalogues are few: loaded once)."""
        if self._catalogues is None:
            self._catalogues = sorted(
                Catalogue.objects.select_related("org"), key=lambda c: (-len(c.org.path), c.pk)
            )
        if org.path not in self._catalogue_by_path:
            self._catalogue_by_path[org.path] = next(
                (c for c in self._catalogues if org.path.startswith(c.org.path)), None
            )
        return self._catalogue_by_path[org.path]

    def version_on(self, catalogue: Catalogue, day: dt.date) -> RuleVersion | None:
        if catalogue.pk not in self._versions:
            self._versions[catalogue.pk] = list(
                catalogue.versions.filter(status=RuleVersion.Status.PUBLISHED).order_by(
                    "-effective_from", "-number"
                )
            )
        return next((v for v in self._versions[catalogue.pk] if v.effective_from <= day), None)

    def rules_of(self, version: RuleVersion) -> dict[str, PointRule]:
        if version.pk not in self._rules:
            self._rules[version.pk] = {r.code: r for r in version.rules.select_related("block", "version")}
        return self._rules[version.pk]

    def rule(self, org: Organization, item_code: str, day: dt.date) -> PointRule | None:
        """The rule for `item_code` on `day`, or None when no catalogue, version or active item applies."""
        catalogue = self.catalogue_for(org)
        version = catalogue and self.version_on(catalogue, day)
        if not version:
            return None
        rule = self.rules_of(version).get(item_code)
        return rule if rule is not None and rule.active_on(day) else None

    def require(self, org: Organization, item_code: str, day: dt.date) -> PointRule:
        rule = self.rule(org, item_code, day)
        if rule is None:
            raise ValidationError({"rule": [f"{day:%Y-%m-%d} 没有生效的该积分项目"]})
        return rule


# ---------------------------------------------------------------- caps


class Usage:
    """Points already booked (and optionally pending) per member, item, block and period.

    Loaded once for a set of locked members, then kept current as entries are granted, so a batch of
    awards for one member is capped exactly as if they had been written one by one.
    """

    def __init__(
        self,
        member_ids: Iterable[int],
        days: Sequence[dt.date],
        *,
        pending: bool = False,
        items: set[str] | None = None,
    ) -> None:
        self.item: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        self.block: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        ids = list(member_ids)
        if not ids or not days:
            return
        booked = LedgerEntry.objects.filter(member_id__in=ids)
        # Item caps need dated rows (ISO weeks straddle New Year: a week either side); `items` narrows them
        # to the codes being written. Block caps need only yearly sums, added up by the database.
        start = dt.date(min(days).year, 1, 1) - dt.timedelta(days=7)
        end = dt.date(max(days).year, 12, 31) + dt.timedelta(days=7)
        dated = booked.filter(occurred_on__range=(start, end))
        if items is not None:
            dated = dated.filter(item_code__in=items)
        rows = dated.values_list("member_id", "item_code", "occurred_on").annotate(s=Sum("points")).order_by()
        for member_id, item_code, day, points in rows.iterator(chunk_size=5000):
            self._add_item(member_id, item_code, day, points)
        for year in sorted({d.year for d in days}):
            sums = (
                booked.filter(occurred_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                .values_list("member_id", "block_code")
                .annotate(s=Sum("points"))
                .order_by()
            )
            for member_id, block_code, points in sums.iterator(chunk_size=5000):
                self.block[(member_id, block_code, year)] += points
        if pending:
            waiting = Declaration.objects.filter(
                member_id__in=ids,
                occurred_on__range=(start, end),
                status__in=[Declaration.Status.DECLARED, Declaration.Status.RECORDED],
            ).values_list("member_id", "rule__code", "rule__block__code", "occurred_on", "rule__points")
            for member_id, item_code, block_code, day, points in waiting:
                self.add(member_id, item_code, block_code, day, points)

    def _add_item(self, member_id: int, item_code: str, day: dt.date, points: Decimal) -> None:
        for name, key in period_keys(day).items():
            self.item[(member_id, item_code, name, key)] += points

    def add(self, member_id: int, item_code: str, block_code: str, day: dt.date, points: Decimal) -> None:
        self._add_item(member_id, item_code, day, points)
        self.block[(member_id, block_code, day.year)] += points

    def room(
        self, member_id: int, rule: PointRule, day: dt.date, asked: Decimal | None = None
    ) -> tuple[Decimal | None, list[str]]:
        """How many points are still allowed (None: no cap applies), and the caps that cut `asked`."""
        asked = rule.points if asked is None else asked
        room: Decimal | None = None
        reasons: list[str] = []
        keys = period_keys(day)
        caps = (("week", rule.week_cap), ("month", rule.month_cap), ("year", rule.year_cap))
        limits: list[tuple[Decimal, str]] = []
        for name, cap in caps:
            if cap is not None:
                used = self.item[(member_id, rule.code, name, keys[name])]
                limits.append(
                    (cap - used, f"“{rule.name}”{PERIOD_LABELS[name]}上限{fmt(cap)}分，已得{fmt(used)}分")
                )
        block: Block = rule.block
        used = self.block[(member_id, block.code, day.year)]
        limits.append((block.cap - used, f"{block.name}年度上限{fmt(block.cap)}分，已得{fmt(used)}分"))
        for left, reason in limits:
            left = max(left, ZERO)
            if room is None or left < room:
                room = left
            if left < asked:
                reasons.append(reason)
        return room, reasons

    def grant(self, member_id: int, rule: PointRule, day: dt.date, points: Decimal) -> tuple[Decimal, str]:
        """Points after caps, and why they were cut ("" when not); books them."""
        room, reasons = self.room(member_id, rule, day, points)
        granted = points if room is None else min(points, room)
        self.add(member_id, rule.code, rule.block.code, day, granted)
        return granted, ("；".join(reasons) if granted < points else "")


def lock_members(member_ids: Iterable[int]) -> dict[int, Member]:
    """Lock the members' rows in primary-key order (no deadlocks between two writers) and return them."""
    ids = sorted(set(member_ids))
    locked = lock_rows(Member.objects).filter(pk__in=ids).order_by("pk").select_related("org")
    return {m.pk: m for m in locked}


def build_entry(
    *,
    usage: Usage,
    member: Member,
    rule: PointRule,
    occurred_on: dt.date,
    source_type: str,
    source_id: str = "",
    points: Decimal | None = None,
    declaration: Declaration | None = None,
    recorded_by: User | None = None,
    reviewed_by: User | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """An unsaved entry with caps applied (the caller holds the member's lock)."""
    asked = rule.points if points is None else points
    granted, reason = usage.grant(member.pk, rule, occurred_on, asked)
    return LedgerEntry(
        member=member,
        org_id=member.org_id,
        rule=rule,
        item_code=rule.code,
        block_code=rule.block.code,
        occurred_on=occurred_on,
        points=granted,
        capped_from=asked if reason else None,
        capped_reason=reason[:200],
        source_type=source_type,
        source_id=source_id,
        declaration=declaration,
        note=note[:200],
        recorded_by=_user_or_none(recorded_by),
        reviewed_by=_user_or_none(reviewed_by),
        created_at=now or timezone.now(),
    )


def write_entries(entries: Sequence[LedgerEntry], *, batch_size: int = 2000) -> list[LedgerEntry]:
    """The one place ledger rows are inserted: the entries, then their members' yearly balances, in the
    caller's transaction (the caller holds the members' locks, see lock_members)."""
    if not entries:
        return []
    written = LedgerEntry.objects.bulk_create(entries, batch_size=batch_size)
    apply_balances(written)
    return written


def _user_or_none(user: User | None) -> User | None:
    """The user, or None for a system write (and for an anonymous user another app might pass)."""
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------- automatic entries


@dataclass(frozen=True)
class AutomaticAward:
    member_id: int
    item_code: str
    occurred_on: dt.date
    source_type: str
    source_id: str
    note: str = ""
    # The rule's points are earned this many times (每日一练: once per right answer) ...
    times: int = 1
    # ... but at most this many points for the source (a caller's own cap, e.g. per day), before the
    # catalogue's caps.
    at_most: Decimal | None = None

    def asked(self, rule: PointRule) -> tuple[Decimal, Decimal, str]:
        """The points earned before the catalogue's caps, before the caller's cap, and why that cut them."""
        full = rule.points * self.times
        if self.at_most is not None and full > self.at_most:
            return max(self.at_most, ZERO), full, f"“{rule.name}”单次上限{fmt(self.at_most)}分"
        return full, full, ""


def award_automatic(
    *,
    actor: User | None,
    member: Member,
    item_code: str,
    occurred_on: dt.date,
    source_type: str,
    source_id: str,
    note: str = "",
    times: int = 1,
    at_most: Decimal | None = None,
) -> LedgerEntry | None:
    """Write one automatic entry (e.g. attendance of an approved meeting record), linked to its source:
    the rule's points `times` over, cut to `at_most` and then to the catalogue's caps.

    Idempotent: if this member already has a live entry for the same source and item, nothing is
    written and None is returned. Also None when the member's organization has no catalogue or the item
    is not in force on that date (a county without a points scheme must not break the caller).
    """
    award = AutomaticAward(
        member.pk, item_code, occurred_on, source_type, str(source_id), note, times=times, at_most=at_most
    )
    written = award_automatic_batch(actor=actor, awards=[award])
    return written[0] if written else None


def _due_awards(
    awards: Sequence[AutomaticAward], members: dict[int, Member]
) -> Iterator[tuple[AutomaticAward, Member, PointRule]]:
    """The awards to write, by date then member, each with its locked member and the rule in force: not
    one already written for its source and item (live), nor one whose item is not in force on its date."""
    done = set(
        LedgerEntry.objects.live()
        .filter(
            source_type__in={a.source_type for a in awards},
            source_id__in={a.source_id for a in awards},
            member_id__in=members.keys(),
        )
        .values_list("member_id", "source_type", "source_id", "item_code")
    )
    book = RuleBook()
    for a in sorted(awards, key=lambda a: (a.occurred_on, a.member_id)):
        key = (a.member_id, a.source_type, a.source_id, a.item_code)
        member = members.get(a.member_id)
        if key in done or member is None:
            continue
        rule = book.rule(member.org, a.item_code, a.occurred_on)
        if rule is None:
            continue
        done.add(key)
        yield a, member, rule


@transaction.atomic
def award_automatic_batch(
    *, actor: User | None, awards: Sequence[AutomaticAward], audit: bool = True
) -> list[LedgerEntry]:
    """Write many automatic entries at once (a month close): one lock pass, one read of usage, bulk insert."""
    if not awards:
        return []
    members = lock_members(a.member_id for a in awards)
    usage = Usage(members.keys(), [a.occurred_on for a in awards], items={a.item_code for a in awards})
    now = timezone.now()
    entries: list[LedgerEntry] = []
    for a, member, rule in _due_awards(awards, members):
        asked, full, cut = a.asked(rule)
        entry = build_entry(
            usage=usage,
            member=member,
            rule=rule,
            occurred_on=a.occurred_on,
            source_type=a.source_type,
            source_id=a.source_id,
            points=asked,
            recorded_by=actor,
            reviewed_by=actor,
            note=a.note,
            now=now,
        )
        if cut:
            entry.capped_from = full
            entry.capped_reason = "；".join(r for r in (cut, entry.capped_reason) if r)[:200]
        entries.append(entry)
    write_entries(entries)
    if audit and entries:
        sources = sorted({f"{e.source_type}:{e.source_id}" for e in entries})
        record_event(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target_repr=f"自动积分 {len(entries)} 条",
            summary={"points_automatic": len(entries), "sources": sources[:20]},
        )
    return entries


ENTRY_COLUMNS = [
    "member_id",
    "org_id",
    "rule_id",
    "item_code",
    "block_code",
    "occurred_on",
    "points",
    "capped_from",
    "capped_reason",
    "source_type",
    "source_id",
    "note",
    "recorded_by_id",
    "reviewed_by_id",
    "created_at",
]


@dataclass(frozen=True)
class Booked:
    """What a balance needs of a written entry (apply_balances takes these or LedgerEntry rows)."""

    member_id: int
    occurred_on: dt.date
    block_code: str
    points: Decimal


@transaction.atomic
def add_entries(*, actor: User | None, awards: Sequence[AutomaticAward]) -> int:
    """award_automatic_batch for bulk loads (the demo generator: hundreds of thousands of entries): the same
    rules — the members locked, one live entry per source and item, the rule in force, caps, yearly
    balances — written as plain INSERTs without building a model instance per row. Returns the number
    written; no audit row (the caller records one for the load)."""
    if not awards:
        return 0
    members = lock_members(a.member_id for a in awards)
    usage = Usage(members.keys(), [a.occurred_on for a in awards], items={a.item_code for a in awards})
    user = _user_or_none(actor)
    user_id = user.pk if user is not None else None
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows: list[tuple[Any, ...]] = []
    booked: list[Booked] = []
    for a, member, rule in _due_awards(awards, members):
        asked, full, cut = a.asked(rule)
        granted, reason = usage.grant(member.pk, rule, a.occurred_on, asked)
        reason = "；".join(r for r in (cut, reason) if r)
        block = rule.block.code
        booked.append(Booked(member.pk, a.occurred_on, block, granted))
        rows.append(
            (
                member.pk,
                member.org_id,
                rule.pk,
                rule.code,
                block,
                ops.adapt_datefield_value(a.occurred_on),
                ops.adapt_decimalfield_value(granted, 7, 1),
                ops.adapt_decimalfield_value(full, 7, 1) if reason else None,
                reason[:200],
                a.source_type,
                a.source_id,
                a.note[:200],
                user_id,
                user_id,
                now,
            )
        )
    sql = (
        f"INSERT INTO {LedgerEntry._meta.db_table} ({', '.join(ENTRY_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    apply_balances(booked)
    return len(rows)


@transaction.atomic
def reverse_automatic(
    *, actor: User | None, source_type: str, source_id: str, reason: str
) -> list[LedgerEntry]:
    """Reverse every live entry written for a source (its record was amended or withdrawn). Idempotent."""
    if not reason.strip():
        raise ValidationError({"reason": ["请说明冲正原因"]})
    ids = LedgerEntry.objects.live().filter(source_type=source_type, source_id=str(source_id))
    lock_members(ids.values_list("member_id", flat=True))
    originals = list(ids.select_related("member", "rule", "rule__block").order_by("pk"))
    reversals = [_reversal(e, actor=actor, reason=reason) for e in originals]
    write_entries(reversals)
    if reversals:
        record_event(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target_repr=f"冲正 {source_type}:{source_id}",
            summary={"points_reversed": len(reversals), "reason": reason[:200]},
        )
    return reversals


def _reversal(entry: LedgerEntry, *, actor: User | None, reason: str) -> LedgerEntry:
    return LedgerEntry(
        member_id=entry.member_id,
        org_id=entry.org_id,
        rule_id=entry.rule_id,
        item_code=entry.item_code,
        block_code=entry.block_code,
        occurred_on=entry.occurred_on,
        points=-entry.points,
        source_type=entry.source_type,
        source_id=entry.source_id,
        reverses=entry,
        note=f"冲正：{reason}"[:200],
        recorded_by=_user_or_none(actor),
        reviewed_by=_user_or_none(actor),
        created_at=timezone.now(),
    )


@transaction.atomic
def correct_entry(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """A correction by a recorder: a reversing entry with a reason (the original stays)."""
    if not holds(actor, RECORD_ROLES, entry.org.path):
        raise PermissionDenied("只有计分员或支部书记可以更正积分")
    if not reason.strip():
        raise ValidationError({"reason": ["请说明更正原因"]})
    lock_members([entry.member_id])
    entry = LedgerEntry.objects.select_related("org").get(pk=entry.pk)
    if entry.is_reversal or LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("该分录已冲正或本身是冲正分录")
    reversal = _reversal(entry, actor=actor, reason=reason)
    write_entries([reversal])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=entry,
        org=entry.org,
        summary={"reversed_by": reversal.pk, "points": str(entry.points), "reason": reason[:200]},
    )
    return reversal
