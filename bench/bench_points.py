"""Benchmark: the points ledger at city scale.

    .venv/bin/python bench/bench_points.py [--db sqlite|postgres] [--members 250000] [--per-member 20]
                                           [--automatic 1000000] [--batch 5000] [--runs 7] [--reuse X] [--keep]

1. Data: one root, ~2,500 branches and --members minimal members inserted directly, the 宿松 catalogue,
   and ~--per-member ledger entries per member written by one INSERT … SELECT (not through the services),
   then the yearly balances (MemberYearBalance) rebuilt from them (services.rebuild_balances, timed).
2. Reads, in the same run, interleaved, median of --runs, as a 组织部管理员 on the root:
     ranking  — selectors.annual_totals over the balance table: first page (20) and the count, ORM;
     below    — selectors.below_pass (annual total < pass mark) over the balance table: page and count;
     page     — the ranking page itself (points.views.ledger.ranking, rendered), for reference;
   each against the hand-written SQL over the same balance table (members LEFT JOIN balances … ORDER BY
   … LIMIT, and COUNT). Target ratio ORM/SQL ≤ 1.5. For comparison, the old way — the ORM aggregate over
   the ledger (selectors.ledger_totals, LEFT JOIN … GROUP BY) — is timed once per run as well.
3. Writes: --automatic automatic entries (a month close) through services.award_automatic_batch in
   batches of --batch awards (caps, idempotency, balance upserts, one audit row per batch): rows/s, peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, open_database, table  # noqa: E402

YEAR = 2026


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--members", type=int, default=250_000)
    parser.add_argument("--per-member", type=int, default=20)
    parser.add_argument("--automatic", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
        run(args)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_data(members: int, per_member: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import Member, Organization
    from orgs.paths import encode_step
    from points.demo import build_catalogue
    from points.models import LedgerEntry

    if Organization.objects.exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        root = Organization.objects.create(
            path=encode_step(1),
            depth=1,
            name="中共示范市委员会",
            code="R0001",
            kind="committee",
            unit_category="organ",
            child_seq=2500,
        )
        branches = Organization.objects.bulk_create(
            [
                Organization(
                    parent=root,
                    path=root.path + encode_step(i),
                    depth=2,
                    name=f"第{i}党支部",
                    code=f"B{i:05d}",
                    kind="branch",
                    unit_category="organ",
                )
                for i in range(1, 2501)
            ]
        )
        born, joined = dt.date(1980, 1, 1), dt.date(2005, 7, 1)
        for start in range(0, members, 20_000):
            Member.objects.bulk_create(
                [
                    Member(
                        name=f"党员{i}",
                        gender="男",
                        birth_date=born,
                        id_number_enc="x",
                        id_number_hash=f"h{i}",
                        id_number_masked="3401**********0000",
                        category="full",
                        joined_on=joined,
                        org=branches[i % len(branches)],
                    )
                    for i in range(start, min(start + 20_000, members))
                ],
                batch_size=5000,
            )
        catalogue = build_catalogue(root, year=YEAR)
        rules = list(catalogue.versions.get(number=1).rules.select_related("block").order_by("pk"))
    print(f"  {members:,} members in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    table_name = LedgerEntry._meta.db_table
    pg = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_rules (k integer, rule_id bigint, item_code text, block_code text)"
        )
        cursor.executemany(
            "INSERT INTO bench_rules VALUES (%s, %s, %s, %s)",
            [(k, r.pk, r.code, r.block.code) for k, r in enumerate(rules)],
        )
        day = (
            "DATE '2026-01-01' + ((m.id * 7 + n.k * 17) %% 330)::int"
            if pg
            else ("date('2026-01-01', '+' || ((m.id * 7 + n.k * 17) %% 330) || ' days')")
        )
        series = "generate_series(0, %s) AS n(k)" if pg else "n"
        with_n = "" if pg else "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < %s) "
        # Between per_member/2 and 3*per_member/2 entries each (mean per_member), 1–5 points.
        cursor.execute(
            f"{with_n}INSERT INTO {table_name} (member_id, org_id, rule_id, item_code, block_code, occurred_on, "
            f"points, capped_reason, source_type, source_id, note, created_at) "
            f"SELECT m.id, m.org_id, r.rule_id, r.item_code, r.block_code, {day}, ((m.id + n.k) %% 5) + 1, '', "
            f"'demo', '', '', %s FROM orgs_member m CROSS JOIN {series} "
            f"JOIN bench_rules r ON r.k = (m.id + n.k) %% {len(rules)} "
            f"WHERE n.k < (m.id %% {per_member + 1}) + {per_member // 2}",
            [timezone.now(), per_member * 2] if pg else [per_member * 2, timezone.now()],
        )
        cursor.execute("DROP TABLE bench_rules")
    print(f"  {LedgerEntry.objects.count():,} entries in {time.perf_counter() - started:.0f} s", flush=True)
    from points.services import rebuild_balances

    started = time.perf_counter()
    written = rebuild_balances(year=YEAR)
    print(f"  {written:,} yearly balances rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    from orgs import demo

    demo.analyze()


RANK_SQL = """
SELECT m.id, m.name, COALESCE(b.total, 0) AS total
FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id
LEFT JOIN points_memberyearbalance b ON b.member_id = m.id AND b.year = %s
WHERE o.path LIKE %s AND m.status IN ('normal', 'mobile', 'lost', 'suspended') {having}
ORDER BY total {direction}, m.id LIMIT 20
"""
COUNT_SQL = """
SELECT COUNT(*) FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id
LEFT JOIN points_memberyearbalance b ON b.member_id = m.id AND b.year = %s
WHERE o.path LIKE %s AND m.status IN ('normal', 'mobile', 'lost', 'suspended') {having}
"""


def run(args: argparse.Namespace) -> None:
    from decimal import Decimal

    from django.db import connection

    from accounts.models import User
    from orgs.models import Member, Organization, RoleGrant
    from orgs.roles import Role
    from points import selectors

    ensure_data(args.members, args.per_member)
    root = Organization.objects.order_by("path").first()
    assert root is not None
    admin, _ = User.objects.get_or_create(username="bench_points_admin")
    RoleGrant.objects.get_or_create(user=admin, org=root, role=Role.DEPT_ADMIN)
    mark = Decimal("60")

    def members() -> Any:
        fresh = User.objects.get(pk=admin.pk)  # no cached scope between runs
        return Member.objects.visible_to(fresh).active()

    def orm_ranking() -> Any:
        qs = selectors.annual_totals(members(), YEAR)
        return list(qs[:20]), qs.count()

    def orm_below() -> Any:
        qs = selectors.below_pass(members(), YEAR, mark)
        return list(qs[:20]), qs.count()

    def ledger_ranking() -> Any:  # the old way: aggregate the ledger on every request
        qs = selectors.ledger_totals(members(), YEAR)
        return list(qs[:20]), qs.count()

    def ledger_below() -> Any:
        qs = selectors.ledger_totals(members(), YEAR).filter(total__lt=mark).order_by("total", "pk")
        return list(qs[:20]), qs.count()

    def raw(having: str, direction: str) -> Any:
        params = [YEAR, root.path + "%"] + ([int(mark)] if having else [])
        with connection.cursor() as cursor:
            cursor.execute(RANK_SQL.format(having=having, direction=direction), params)
            rows = cursor.fetchall()
            cursor.execute(COUNT_SQL.format(having=having), params)
            return rows, cursor.fetchone()

    def sql_ranking() -> Any:
        return raw("", "DESC")

    def sql_below() -> Any:
        return raw("AND COALESCE(b.total, 0) < %s", "ASC")

    def page() -> Any:
        from django.test import RequestFactory

        from points.views.ledger import ranking

        request = RequestFactory().get("/points/ranking/", {"year": YEAR})
        request.user = User.objects.get(pk=admin.pk)
        response = ranking(request)
        assert response.status_code == 200
        return response

    for name, orm, sql, old in (
        ("ranking", orm_ranking, sql_ranking, ledger_ranking),
        ("below", orm_below, sql_below, ledger_below),
    ):
        (orm_rows, orm_count), (sql_rows, sql_count) = orm(), sql()
        assert orm_count == sql_count[0] and [m.pk for m in orm_rows] == [r[0] for r in sql_rows], (
            f"{name} differs"
        )
        assert [m.total for m in orm_rows] == [m.total for m in old()[0]], (
            f"{name}: balances differ from ledger"
        )
    rows = []
    for name, orm, sql, old in (
        ("annual ranking", orm_ranking, sql_ranking, ledger_ranking),
        ("below-60 list", orm_below, sql_below, ledger_below),
    ):
        times: dict[str, list[float]] = {"orm": [], "sql": []}
        for _ in range(args.runs):  # interleaved so both see the same cache state
            times["orm"].append(median_ms(orm, 1))
            times["sql"].append(median_ms(sql, 1))
        o, s = sorted(times["orm"])[args.runs // 2], sorted(times["sql"])[args.runs // 2]
        before = median_ms(old, min(3, args.runs))
        rows.append([name, f"{o:,.0f}", f"{s:,.0f}", f"{o / s:.2f}", f"{before:,.0f}", f"{before / o:,.0f}×"])
    page_ms = median_ms(page, args.runs)
    print()
    print(f"Reads ({Member.objects.count():,} members, {orm_count:,} below 60; median of {args.runs}):")
    print(
        table(
            [
                "query (first page + count)",
                "ORM over balances ms",
                "raw SQL over balances ms",
                "ratio",
                "old: ORM over ledger ms",
                "speed-up",
            ],
            rows,
        )
    )
    print(f"ranking page rendered (view + template, first page): {page_ms:,.0f} ms")
    write_automatic(args)


def write_automatic(args: argparse.Namespace) -> None:
    from orgs.models import Member
    from points import services
    from points.models import LedgerEntry

    if not args.automatic:
        return
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    before = LedgerEntry.objects.count()
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    done = 0
    n = 0
    while done < args.automatic:
        awards = []
        for _ in range(min(args.batch, args.automatic - done)):
            member = ids[n % len(ids)]
            day = dt.date(YEAR, 12, 1 + (n // len(ids)) % 28)
            awards.append(
                services.AutomaticAward(member, "orglife_attendance", day, "orglife.attendance", f"b{n}")
            )
            n += 1
        services.award_automatic_batch(actor=None, awards=awards)
        done += len(awards)
        if done % (args.batch * 40) == 0:
            print(f"  {done:,} awards · {done / (time.perf_counter() - started):,.0f} rows/s", flush=True)
    seconds = time.perf_counter() - started
    written = LedgerEntry.objects.count() - before
    print()
    print(f"Automatic entries through services.award_automatic_batch (batches of {args.batch:,}):")
    print(
        table(
            ["awards", "entries written", "seconds", "rows/s", "peak RSS MB (before → after)"],
            [
                [
                    f"{done:,}",
                    f"{written:,}",
                    f"{seconds:,.0f}",
                    f"{done / seconds:,.0f}",
                    f"{rss_before:,.0f} → {peak_rss_mb():,.0f}",
                ]
            ],
        )
    )


if __name__ == "__main__":
    main()
