"""Completion rollups: CompletionStat summed over each node's subtree, per month, quarter and year.

Three ways to the same numbers, kept apart on purpose:

- `sync_branches` (the incremental path): called by the stats service right after it rewrites a branch's
  CompletionStat rows. The branch's own share of the rollups is recomputed from its rows and plans; what
  the rollups attribute to it now is read back (its rows minus its children's); the difference is added
  to the rows of the branch and of every ancestor in one upsert, in the same transaction, in path order
  (so two writers under one root take their row locks in the same order). Because the "before" is read
  from the rollups themselves, a sync also repairs a branch whose rows were written around the service.
- `rebuild_rollups` (the bulk path): a few grouped INSERT … SELECT statements, bottom-up by depth.
- `expected_rollups` (the check): a plain Python recomputation from CompletionStat and the late plans,
  used by `manage.py orglife_rollups --check` and the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncQuarter, TruncYear

from orglife.models import CompletionRollup, CompletionStat, MonthlyPlan
from orglife.periods import MONTH, QUARTER, YEAR, Period, first_of_month
from orgs.models import Organization
from orgs.paths import PATH_STEP

SUMS = ("required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present")
FIELDS = (*SUMS, "branches", "late_plans")
KINDS = (MONTH, QUARTER, YEAR)
NODE_ROW = ""  # the meeting_type of the row holding branches and late plans

Key = tuple[int, str, dt.date, str]  # org id, period kind, period start, meeting type
PeriodKey = tuple[str, dt.date]


def period_keys(month: dt.date) -> list[PeriodKey]:
    """The month, quarter and year a month's rows count towards."""
    month = first_of_month(month)
    return [(kind, Period.containing(kind, month).start) for kind in KINDS]


def _add(into: dict[Key, list[int]], key: Key, values: Iterable[int], sign: int = 1) -> None:
    row = into.get(key)
    if row is None:
        row = into[key] = [0] * len(FIELDS)
    for i, v in enumerate(values):
        row[i] += sign * v


def _month_range(keys: set[PeriodKey]) -> tuple[dt.date, dt.date]:
    """The months the periods cover (a year key covers its twelve)."""
    periods = [Period(start, kind) for kind, start in keys]
    return min(p.start for p in periods), max(p.months[-1] for p in periods)


def own_shares(org_ids: Sequence[int], keys: set[PeriodKey]) -> dict[Key, list[int]]:
    """Each branch's own contribution to the period keys, from its CompletionStat rows and late plans."""
    out: dict[Key, list[int]] = {}
    if not org_ids or not keys:
        return out
    lo, hi = _month_range(keys)
    seen: set[Key] = set()
    stats = CompletionStat.objects.filter(org_id__in=org_ids, month__gte=lo, month__lte=hi).order_by()
    for org_id, month, meeting_type, *values in stats.values_list("org_id", "month", "meeting_type", *SUMS):
        for kind, start in period_keys(month):
            if (kind, start) not in keys:
                continue
            _add(out, (org_id, kind, start, meeting_type), [*values, 0, 0])
            node = (org_id, kind, start, NODE_ROW)
            if node not in seen:
                seen.add(node)
                _add(out, node, [0] * len(SUMS) + [1, 0])
    late = (
        MonthlyPlan.objects.filter(org_id__in=org_ids, month__gte=lo, month__lte=hi, is_late=True)
        .order_by()
        .values_list("org_id", "month")
        .annotate(n=Count("id"))
    )
    for org_id, month, n in late:
        for kind, start in period_keys(month):
            if (kind, start) in keys:
                _add(out, (org_id, kind, start, NODE_ROW), [0] * (len(FIELDS) - 1) + [n])
    return out


def stored_shares(org_ids: Sequence[int], keys: set[PeriodKey]) -> dict[Key, list[int]]:
    """What the rollups attribute to each branch itself now: its rows minus its children's rows."""
    out: dict[Key, list[int]] = {}
    if not org_ids or not keys:
        return out
    ids = set(org_ids)
    rows = CompletionRollup.objects.filter(
        Q(org_id__in=org_ids) | Q(org__parent_id__in=org_ids),
        kind__in={k for k, _ in keys},
        start__in={s for _, s in keys},
    ).values_list("org_id", "org__parent_id", "kind", "start", "meeting_type", *FIELDS)
    for org_id, parent_id, kind, start, meeting_type, *values in rows:
        if (kind, start) not in keys:
            continue
        if org_id in ids:
            _add(out, (org_id, kind, start, meeting_type), values)
        if parent_id in ids:
            _add(out, (parent_id, kind, start, meeting_type), values, -1)
    return out


def _ancestor_ids(orgs: Iterable[Organization]) -> dict[int, list[tuple[str, int]]]:
    """For each organization, (path, id) of itself and every ancestor, root first."""
    orgs = list(orgs)
    prefixes = {o.path[:i] for o in orgs for i in range(PATH_STEP, len(o.path) + 1, PATH_STEP)}
    ids = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "pk"))
    return {
        o.pk: [
            (o.path[:i], ids[o.path[:i]])
            for i in range(PATH_STEP, len(o.path) + 1, PATH_STEP)
            if o.path[:i] in ids
        ]
        for o in orgs
    }


def apply_deltas(orgs: Iterable[Organization], deltas: dict[Key, list[int]]) -> int:
    """Add each branch's delta to its own rows and every ancestor's (one upsert per 200 rows)."""
    deltas = {k: v for k, v in deltas.items() if any(v)}
    if not deltas:
        return 0
    chains = _ancestor_ids(org for org in orgs if org.pk in {k[0] for k in deltas})
    fanned: dict[tuple[str, int, str, dt.date, str], list[int]] = {}
    for (org_id, kind, start, meeting_type), values in deltas.items():
        for path, target in chains[org_id]:
            row = fanned.setdefault((path, target, kind, start, meeting_type), [0] * len(FIELDS))
            for i, v in enumerate(values):
                row[i] += v
    rows = [(key[1:], values) for key, values in sorted(fanned.items()) if any(values)]
    upsert(rows)
    return len(rows)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def upsert(rows: Sequence[tuple[tuple[int, str, dt.date, str], Sequence[int]]], batch: int = 200) -> None:
    """INSERT … ON CONFLICT DO UPDATE adding the values (PostgreSQL and SQLite alike), rows in given order."""
    table = _q(CompletionRollup._meta.db_table)
    cols = ["org_id", "kind", "start", "meeting_type", *FIELDS]
    names = ", ".join(_q(c) for c in cols)
    sets = ", ".join(f"{_q(f)} = {table}.{_q(f)} + excluded.{_q(f)}" for f in FIELDS)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            part = rows[i : i + batch]
            sql = (
                f"WITH v ({names}) AS (VALUES {', '.join([one] * len(part))}) "
                f"INSERT INTO {table} ({names}) SELECT {names} FROM v WHERE true "
                f"ON CONFLICT (org_id, kind, start, meeting_type) DO UPDATE SET {sets}"
            )
            params: list[Any] = [x for key, values in part for x in (*key, *values)]
            cursor.execute(sql, params)


def sync_branches(orgs: Sequence[Organization], months: Iterable[dt.date]) -> int:
    """Bring the rollups in line with the branches' CompletionStat rows and plans for these months.

    Call inside the transaction that rewrote those rows, after writing them. Returns the rows touched.
    """
    keys = {key for m in months for key in period_keys(m)}
    done = 0
    for i in range(0, len(orgs), 1000):  # chunks are independent: a parent's own share excludes its children
        part = orgs[i : i + 1000]
        ids = [o.pk for o in part]
        delta = own_shares(ids, keys)
        for key, values in stored_shares(ids, keys).items():
            _add(delta, key, values, -1)
        done += apply_deltas(part, delta)
    return done


_deferred: ContextVar[dict[int, tuple[Organization, set[dt.date]]] | None] = ContextVar(
    "orglife_rollups_deferred", default=None
)


def sync_branch(org: Organization, month: dt.date) -> None:
    """`sync_branches` for one branch-month, now or, inside `deferred_sync`, when that block ends."""
    pending = _deferred.get()
    if pending is None:
        sync_branches([org], [month])
    else:
        pending.setdefault(org.pk, (org, set()))[1].add(first_of_month(month))


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Within one transaction that refreshes many branches (a batch, the daily job, the month close):
    sync them all at the end, so the ancestors' rows (the root's above all) are locked only for the last
    statements. Taking them after each branch would hold the root's rows while the batch goes on to lock
    further branches, which a user's refresh of one of those, waiting for the root, would deadlock with."""
    if _deferred.get() is not None:  # nested: the outer block syncs
        yield
        return
    pending: dict[int, tuple[Organization, set[dt.date]]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)  # on an error nothing is synced: the transaction is rolled back anyway
    by_months: dict[frozenset[dt.date], list[Organization]] = {}
    for org, org_months in pending.values():
        by_months.setdefault(frozenset(org_months), []).append(org)
    for months, orgs in by_months.items():
        sync_branches(sorted(orgs, key=lambda o: o.path), sorted(months))


def lock_branches(orgs: Sequence[Organization]) -> None:
    """Serialize writers of the same branches (row locks on PostgreSQL, in path order; SQLite has one writer)."""
    if connection.features.has_select_for_update and orgs:
        list(
            Organization.objects.select_for_update()
            .filter(pk__in=[o.pk for o in orgs])
            .order_by("path")
            .values_list("pk")
        )


# ---------------------------------------------------------------- the bulk rebuild


def _trunc(kind: str) -> F | TruncQuarter | TruncYear:
    return F("month") if kind == MONTH else TruncQuarter("month") if kind == QUARTER else TruncYear("month")


def _insert_from(qs: QuerySet, kind: str, columns: dict[str, str], *, add: bool = False) -> None:
    """INSERT INTO rollups SELECT (the grouped queryset as a subquery); columns maps field → SQL of sub."""
    table = _q(CompletionRollup._meta.db_table)
    sql, params = qs.query.sql_with_params()
    cols = ["org_id", "kind", "start", "meeting_type", *FIELDS]
    exprs = {"org_id": "sub.org_id", "kind": "%s", "start": "sub.start", "meeting_type": "''"}
    exprs.update(dict.fromkeys(FIELDS, "0"))
    exprs.update(columns)
    conflict = ""
    if add:
        sets = ", ".join(f"{_q(f)} = {table}.{_q(f)} + excluded.{_q(f)}" for f in columns)
        conflict = f" ON CONFLICT (org_id, kind, start, meeting_type) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "
            f"SELECT {', '.join(exprs[c] for c in cols)} FROM ({sql}) sub WHERE true{conflict}",
            [kind, *params],
        )


@transaction.atomic
def rebuild_rollups() -> int:
    """Replace every rollup row with sums recomputed from CompletionStat and the plans; returns the rows."""
    CompletionRollup.objects.all()._raw_delete(CompletionRollup.objects.db)  # type: ignore[attr-defined]
    for kind in KINDS:
        stats = CompletionStat.objects.order_by().annotate(start=_trunc(kind))
        _insert_from(
            stats.values("org_id", "start", "meeting_type").annotate(**{f: Sum(f) for f in SUMS}),
            kind,
            {"meeting_type": "sub.meeting_type", **{f: f"sub.{f}" for f in SUMS}},
        )
        _insert_from(stats.values("org_id", "start").annotate(n=Count("id")), kind, {"branches": "1"})
        late = MonthlyPlan.objects.filter(is_late=True).order_by().annotate(start=_trunc(kind))
        _insert_from(
            late.values("org_id", "start").annotate(n=Count("id")), kind, {"late_plans": "sub.n"}, add=True
        )
    table = _q(CompletionRollup._meta.db_table)
    orgs = _q(Organization._meta.db_table)
    cols = ", ".join(_q(c) for c in ["org_id", "kind", "start", "meeting_type", *FIELDS])
    sums = ", ".join(f"SUM(r.{_q(f)})" for f in FIELDS)
    sets = ", ".join(f"{_q(f)} = {table}.{_q(f)} + excluded.{_q(f)}" for f in FIELDS)
    deepest = Organization.objects.order_by("-depth").values_list("depth", flat=True).first() or 0
    with connection.cursor() as cursor:
        # The planner's figures for the rows just written (without them PostgreSQL plans the joins below
        # for an empty table: nested loops over millions of rows). ANALYZE runs inside a transaction.
        cursor.execute(f"ANALYZE {table}")
        for depth in range(deepest, 1, -1):  # children complete before they are added to their parent
            cursor.execute(
                f"INSERT INTO {table} ({cols}) "
                f"SELECT c.parent_id, r.kind, r.start, r.meeting_type, {sums} "
                f"FROM {table} r INNER JOIN {orgs} c ON c.id = r.org_id WHERE c.depth = %s "
                "GROUP BY c.parent_id, r.kind, r.start, r.meeting_type "
                f"ON CONFLICT (org_id, kind, start, meeting_type) DO UPDATE SET {sets}",
                [depth],
            )
    return CompletionRollup.objects.count()


# ---------------------------------------------------------------- the check


def expected_rollups() -> dict[Key, tuple[int, ...]]:
    """Every non-zero rollup row recomputed in Python from CompletionStat rows and late plans."""
    ids = dict(Organization.objects.values_list("path", "pk"))

    def chain(path: str) -> list[int]:
        return [ids[path[:i]] for i in range(PATH_STEP, len(path) + 1, PATH_STEP) if path[:i] in ids]

    out: dict[Key, list[int]] = {}
    present: set[tuple[str, str, dt.date]] = set()
    rows = CompletionStat.objects.order_by().values_list("org__path", "month", "meeting_type", *SUMS)
    for path, month, meeting_type, *values in rows.iterator(chunk_size=5000):
        for kind, start in period_keys(month):
            for org_id in chain(path):
                _add(out, (org_id, kind, start, meeting_type), [*values, 0, 0])
            present.add((path, kind, start))
    for path, kind, start in present:
        for org_id in chain(path):
            _add(out, (org_id, kind, start, NODE_ROW), [0] * len(SUMS) + [1, 0])
    late = MonthlyPlan.objects.filter(is_late=True).order_by().values_list("org__path", "month")
    for path, month in late.iterator(chunk_size=5000):
        for kind, start in period_keys(month):
            for org_id in chain(path):
                _add(out, (org_id, kind, start, NODE_ROW), [0] * (len(FIELDS) - 1) + [1])
    return {k: tuple(v) for k, v in out.items() if any(v)}


def stored_rollups() -> dict[Key, tuple[int, ...]]:
    rows = CompletionRollup.objects.values_list("org_id", "kind", "start", "meeting_type", *FIELDS)
    return {
        (org_id, kind, start, t): tuple(values)
        for org_id, kind, start, t, *values in rows.iterator(chunk_size=5000)
        if any(values)
    }


def differences(limit: int | None = None) -> list[tuple[Key, tuple[int, ...] | None, tuple[int, ...] | None]]:
    """(key, expected, stored) for every row where the stored rollups disagree with a recomputation."""
    want, have = expected_rollups(), stored_rollups()
    out = [
        (k, want.get(k), have.get(k)) for k in sorted(want.keys() | have.keys()) if want.get(k) != have.get(k)
    ]
    return out[:limit] if limit is not None else out
