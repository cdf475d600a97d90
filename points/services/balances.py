"""Yearly balances (MemberYearBalance) kept beside the ledger, so rankings never sum millions of entries.

`apply_balances` runs inside every ledger write (points.services.ledger.write_entries), in the same
transaction, after the writer has locked the members concerned (lock_members): no two writers can update
one member's balance at once, so a read-add-upsert is exact. `rebuild_balances` recomputes them from the
ledger (idempotent); the ledger stays the truth.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from orgs.models import Member
from points.models import LedgerEntry, MemberYearBalance

ZERO = Decimal("0")
CHUNK = 5000
FIELDS = ["org_path", "blocks", "total", "updated_at"]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _upsert(rows: list[MemberYearBalance]) -> None:
    MemberYearBalance.objects.bulk_create(
        rows, batch_size=2000, update_conflicts=True, unique_fields=["member", "year"], update_fields=FIELDS
    )


class Booking(Protocol):
    """A written entry as far as its balance goes: LedgerEntry, or ledger.Booked for bulk loads."""

    @property
    def member_id(self) -> int: ...
    @property
    def occurred_on(self) -> dt.date: ...
    @property
    def block_code(self) -> str: ...
    @property
    def points(self) -> Decimal: ...


def apply_balances(entries: Sequence[Booking], *, now: dt.datetime | None = None) -> int:
    """Add freshly written entries to their members' yearly balances (caller holds the members' locks).

    Returns the number of balance rows written. One read of the balances concerned and one bulk upsert
    (INSERT … ON CONFLICT DO UPDATE) per 5,000 members.
    """
    deltas: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for e in entries:
        deltas[(e.member_id, e.occurred_on.year)][e.block_code] += e.points
    if not deltas:
        return 0
    now = now or timezone.now()
    keys = sorted(deltas)
    written = 0
    for chunk in _chunks(keys):
        ids = {m for m, _ in chunk}
        years = {y for _, y in chunk}
        paths = dict(Member.objects.filter(pk__in=ids).values_list("pk", "org__path"))
        existing = {
            (b.member_id, b.year): b
            for b in MemberYearBalance.objects.filter(member_id__in=ids, year__in=years).only(
                "member_id", "year", "blocks"
            )
        }
        rows = []
        for member_id, year in chunk:
            old = existing.get((member_id, year))
            blocks = {code: Decimal(str(v)) for code, v in (old.blocks if old else {}).items()}
            for code, points in deltas[(member_id, year)].items():
                blocks[code] = blocks.get(code, ZERO) + points
            rows.append(_balance(member_id, year, paths.get(member_id, ""), blocks, now))
        _upsert(rows)
        written += len(rows)
    return written


def _balance(member_id: int, year: int, path: str, blocks: dict[str, Decimal], now: dt.datetime) -> Any:
    return MemberYearBalance(
        member_id=member_id,
        year=year,
        org_path=path,
        updated_at=now,
        blocks={code: str(points) for code, points in sorted(blocks.items())},
        total=sum(blocks.values(), ZERO),
    )


@transaction.atomic
def rebuild_balances(*, year: int | None = None) -> int:
    """Recompute the balances of one year (or all years) from the ledger; returns the rows written.

    On PostgreSQL the ledger is share-locked for the duration, so no entry is written meanwhile.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {LedgerEntry._meta.db_table} IN SHARE MODE")
    entries = LedgerEntry.objects.all()
    balances = MemberYearBalance.objects.all()
    if year is not None:
        entries = entries.filter(occurred_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        balances = balances.filter(year=year)
    balances._raw_delete(balances.db)  # type: ignore[attr-defined]  # derived rows: no signals, no cascade
    sums = (
        entries.annotate(y=ExtractYear("occurred_on"))
        .values_list("member_id", "y", "member__org__path", "block_code")
        .annotate(points=Sum("points"))
        .order_by("member_id", "y", "block_code")
    )
    now = timezone.now()
    rows: list[MemberYearBalance] = []
    written = 0
    current: tuple[int, int, str] | None = None
    blocks: dict[str, Decimal] = {}
    for member_id, y, path, block_code, points in sums.iterator(chunk_size=CHUNK):
        if current is not None and (member_id, y) != current[:2]:
            rows.append(_balance(*current, blocks, now))
            blocks = {}
        current = (member_id, y, path)
        blocks[block_code] = blocks.get(block_code, ZERO) + points
        if len(rows) >= CHUNK:
            MemberYearBalance.objects.bulk_create(rows)
            written += len(rows)
            rows = []
    if current is not None:
        rows.append(_balance(*current, blocks, now))
    MemberYearBalance.objects.bulk_create(rows)
    return written + len(rows)
