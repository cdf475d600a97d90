"""Benchmark: the committee completion dashboard (完成情况) for a city-level node, page against its SQL.

    .venv/bin/python bench/bench_orglife_dashboard.py [--db sqlite|postgres] [--reuse PATH_OR_DBNAME] [--keep]
                                                      [--runs 21]

Generates the city scale (~13,600 organizations) into a throwaway database unless --reuse names a kept
one, and bulk-creates a year of CompletionStat rows for every branch directly (required/planned/held/
credited/attendance drawn with a fixed seed; no services, so this takes seconds). Then, as a
组织部管理员 on the city root, for the month and the quarter it times in the same run, interleaved,
median of N:

  page: GET /orglife/stats/?org=<city>&period=…&month=…&level=2 through the Django test client — the
        completion of every 党(工)委 (two levels below the city), with the totals, the per-type table,
        the chart data and the whole server side (middleware, session, scope, template);
  sql:  an independent hand-written baseline of the same result (not the view's own SQL): the
        organizations of the level, the stat sums per path prefix of that level, the sums per meeting
        type and the late plans per prefix, four queries through a cursor, checked once to give the
        page's very rows, totals and per-type figures.

and prints the ratio page/sql (target ≤ 1.5).

Since issue 16 the page reads CompletionRollup (subtree sums kept by the stats service); the stats bulk-
created here are rolled up once by `orglife.services.rollups.rebuild_rollups` (the rebuild path of
`manage.py orglife_rollups --rebuild`), timed.

    .venv/bin/python bench/bench_orglife_dashboard.py --db postgres --rows 10000000 [--requests 200]
                                                      [--sql-runs 5] [--reuse DBNAME] [--keep]

The scale mode (PostgreSQL only): a province tree written by INSERT … SELECT generate_series (1 province,
15 cities, 12 counties each, 20 党委 each, as many branches under each as the row count needs), two
years (2025–2026) of CompletionStat rows by INSERT … SELECT with random() figures (about 43 rows per
branch-year), a year of plans (10 % late), all timed; the rollups built by the rebuild path, timed. Then
as the 组织部管理员 on the province it times the page for the province (level 1: the cities) and for one
city (level 2: its 党委), month, quarter and year: p50/p95 over --requests requests through the Django
test client, the independent hand-written query over CompletionStat (`hand_written`, checked once against
the page's figures) interleaved --sql-runs times. Target: page p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

YEAR = 2026


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=0, help="the scale mode: this many CompletionStat rows")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sql-runs", type=int, default=5)
    args = parser.parse_args()
    if args.rows and args.db != "postgres":
        raise SystemExit("--rows generates with PostgreSQL's generate_series: use --db postgres")
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
        if args.rows:
            run_scale(args)
        else:
            run(args)


def ensure_orgs(seed: int) -> None:
    from orgs import demo
    from orgs.models import Organization

    if Organization.objects.exists():
        return
    print("generating the city scale …", flush=True)
    stats = demo.write(demo.iter_chunks("city", seed, today=dt.date(2026, 11, 24)), every=25)
    demo.analyze()
    print(f"generated {stats.orgs:,} organizations, {stats.members:,} members in {stats.seconds:.0f} s")


def ensure_stats(seed: int) -> int:
    """A year of CompletionStat rows for every branch, bulk-created (types as the default rules owe them)."""
    from django.db import connection, transaction

    from orglife.models import CompletionStat, MonthlyPlan
    from orglife.rules import LIFE_KINDS
    from orgs.models import Organization

    if CompletionStat.objects.filter(month__year=YEAR).exists():
        return CompletionStat.objects.filter(month__year=YEAR).count()
    started = time.perf_counter()
    rng = random.Random(seed)
    branches = list(
        Organization.objects.filter(kind__in=LIFE_KINDS)
        .order_by("path")
        .values_list("pk", "path", "has_committee")
    )
    rows: list[CompletionStat] = []
    plans: list[MonthlyPlan] = []
    total = 0
    for pk, path, has_committee in branches:
        diligence = rng.random()
        for m in range(1, 13):
            month = dt.date(YEAR, m, 1)
            types = ["theme_day", "group"] + (["committee"] if has_committee else [])
            if m % 3 == 0:
                types += ["general_assembly", "lecture"]
            if m == 12:
                types += ["org_life", "appraisal", "talks"]
            for t in types:
                required = 2 if t == "group" and rng.random() < 0.3 else 1
                held = sum(rng.random() < 0.55 + 0.45 * diligence for _ in range(required))
                held += rng.random() < 0.05
                due = rng.randint(5, 40)
                rows.append(
                    CompletionStat(
                        org_id=pk,
                        org_path=path,
                        month=month,
                        meeting_type=t,
                        required=required,
                        planned=required if rng.random() < 0.9 else 0,
                        held=held,
                        credited=min(held, required),
                        unplanned=int(rng.random() < 0.1),
                        attendance_due=due * held,
                        attendance_present=int(due * held * (0.7 + 0.3 * rng.random())),
                    )
                )
            if rng.random() < 0.9:
                plans.append(
                    MonthlyPlan(org_id=pk, month=month, status="approved", is_late=rng.random() < 0.1)
                )
        if len(rows) > 20000:
            with transaction.atomic():
                CompletionStat.objects.bulk_create(rows, batch_size=2000)
            total += len(rows)
            rows = []
    with transaction.atomic():
        CompletionStat.objects.bulk_create(rows, batch_size=2000)
        MonthlyPlan.objects.bulk_create(plans, batch_size=2000)
    total += len(rows)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orglife_completionstat; ANALYZE orglife_monthlyplan")
    print(
        f"bulk-created {total:,} CompletionStat rows and {len(plans):,} plans for {len(branches):,} "
        f"branches in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return total


def ensure_rollups() -> None:
    """Roll the bulk-created stats up once, by the rebuild path (`manage.py orglife_rollups --rebuild`)."""
    from django.db import connection

    from orglife.models import CompletionRollup
    from orglife.services.rollups import rebuild_rollups

    if CompletionRollup.objects.exists():
        return
    started = time.perf_counter()
    rows = rebuild_rollups()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE orglife_completionrollup")
    print(f"rebuilt {rows:,} rollup rows in {time.perf_counter() - started:.1f} s", flush=True)


# ---------------------------------------------------------------- the scale mode (PostgreSQL)

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ROWS_PER_BRANCH = (
    86  # two years of the types below: ~24 theme days + 24 groups + 16 committees + 16 quarterly + 6
)
CITIES, COUNTIES, COMMITTEES = 15, 12, 20


def _step(n: str) -> str:
    """SQL for the 4-digit base-36 path step of the integer expression n (orgs.paths.encode_step)."""
    return " || ".join(f"substr('{_DIGITS}', mod({n} / {36**k}, 36) + 1, 1)" for k in (3, 2, 1, 0))


_ORG_COLS = (
    "parent_id, path, depth, child_seq, name, short_name, code, kind, unit_category, unit_situation,"
    " secretary_name, contact_name, contact_phone_enc, contact_phone_masked, has_committee, unit_name,"
    " unit_credit_code, unit_economic_type, enterprise_size, unit_address, is_active, created_at, updated_at"
)


def _org_level(cursor: Any, depth: int, per_parent: int, kind: str, label: str, code: str) -> None:
    cursor.execute(
        f"INSERT INTO orgs_organization ({_ORG_COLS}) "
        f"SELECT p.id, p.path || {_step('g')}, p.depth + 1, 0, p.short_name || g || %s, %s || g,"
        f" %s || p.id || '-' || g, %s, 'organ', '', '', '', '', '', mod(g, 3) <> 0, '', '', '', '', '', true,"
        " now(), now() FROM orgs_organization p CROSS JOIN generate_series(1, %s) g WHERE p.depth = %s"
        " ORDER BY 2",
        [label, label, code, kind, per_parent, depth],
    )
    cursor.execute("UPDATE orgs_organization SET child_seq = %s WHERE depth = %s", [per_parent, depth])


def ensure_scale(rows: int, seed: int) -> tuple[int, float]:
    """The province tree and `rows` CompletionStat rows by INSERT … SELECT; returns (rows, seconds)."""
    from django.db import connection

    from orglife.models import CompletionStat

    have = CompletionStat.objects.count()
    if have >= rows:
        return have, 0.0
    if have:
        raise SystemExit(f"the database has {have:,} stat rows, fewer than --rows: use a fresh one")
    branches_each = -(-rows // (CITIES * COUNTIES * COMMITTEES * ROWS_PER_BRANCH))
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO orgs_organization ({_ORG_COLS}) VALUES (NULL, %s, 1, 0, '省委', '省委', 'P1',"
            " 'committee', 'organ', '', '', '', '', '', true, '', '', '', '', '', true, now(), now())",
            ["0001"],
        )
        _org_level(cursor, 1, CITIES, "committee", "市委", "S")
        _org_level(cursor, 2, COUNTIES, "committee", "县委", "X")
        _org_level(cursor, 3, COMMITTEES, "committee", "党委", "W")
        _org_level(cursor, 4, branches_each, "branch", "支部", "B")
        cursor.execute("ANALYZE orgs_organization")
        cursor.execute("SELECT count(*) FROM orgs_organization")
        n_orgs = cursor.fetchone()[0]
        print(f"  {n_orgs:,} organizations in {time.perf_counter() - began:.1f} s", flush=True)
        cursor.execute("SELECT setseed(%s)", [seed / 1000])
        cursor.execute("SELECT path FROM orgs_organization WHERE depth = 2 ORDER BY path")
        cities = [p for (p,) in cursor.fetchall()]
        for i, city in enumerate(cities, 1):
            cursor.execute(
                """
                INSERT INTO orglife_completionstat (org_id, org_path, month, meeting_type, required, planned,
                    held, credited, unplanned, attendance_due, attendance_present)
                SELECT id, path, month, type, req, CASE WHEN r1 < 0.9 THEN req ELSE 0 END, held,
                    LEAST(held, req), (r3 < 0.1)::int, due * held, floor(due * held * (0.7 + 0.3 * r1))::int
                FROM (
                    SELECT b.*, CASE WHEN r2 < 0.7 THEN req WHEN r2 < 0.9 THEN req - 1 ELSE 0 END
                        + (r3 < 0.05)::int AS held
                    FROM (
                        SELECT o.id, o.path, m::date AS month, t.type,
                            CASE WHEN t.type = 'group' AND random() < 0.3 THEN 2 ELSE 1 END AS req,
                            random() AS r1, random() AS r2, random() AS r3, 5 + floor(random() * 36)::int AS due
                        FROM orgs_organization o
                        CROSS JOIN generate_series(DATE '2025-01-01', DATE '2026-12-01', INTERVAL '1 month') m
                        CROSS JOIN (VALUES ('theme_day', 0), ('group', 0), ('committee', 1),
                            ('general_assembly', 3), ('lecture', 3), ('org_life', 12), ('appraisal', 12),
                            ('talks', 12)) t (type, rule)
                        WHERE o.kind = 'branch' AND o.path >= %s AND o.path < %s
                          AND (t.rule = 0 OR (t.rule = 1 AND o.has_committee)
                               OR (t.rule = 3 AND mod(extract(month FROM m)::int, 3) = 0)
                               OR (t.rule = 12 AND extract(month FROM m)::int = 12))
                    ) b
                ) r
                """,
                [city, city + "~"],
            )
            print(f"  city {i}/{len(cities)}: {time.perf_counter() - began:.0f} s", flush=True)
        cursor.execute(
            "INSERT INTO orglife_monthlyplan (org_id, month, status, is_late, return_reason, created_at,"
            " updated_at) SELECT o.id, m::date, 'approved', random() < 0.1, '', now(), now()"
            " FROM orgs_organization o CROSS JOIN generate_series(DATE '2026-01-01', DATE '2026-12-01',"
            " INTERVAL '1 month') m WHERE o.kind = 'branch' AND random() < 0.9"
        )
        cursor.execute("ANALYZE orglife_completionstat; ANALYZE orglife_monthlyplan")
    seconds = time.perf_counter() - began
    total = CompletionStat.objects.count()
    print(
        f"generated {total:,} CompletionStat rows for {n_orgs:,} organizations in {seconds:.1f} s", flush=True
    )
    return total, seconds


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_scale(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from orglife.selectors.stats import completion, period_of
    from orgs.models import Organization, RoleGrant
    from orgs.roles import Role

    n_stats, _ = ensure_scale(args.rows, args.seed)
    ensure_rollups()
    root = Organization.objects.get(depth=1)
    city = Organization.objects.filter(depth=2).order_by("path")[7]
    user, _ = User.objects.get_or_create(username="bench_dept", defaults={"must_change_password": False})
    RoleGrant.objects.get_or_create(user=user, org=root, role=Role.DEPT_ADMIN)
    client = Client()
    client.force_login(user)
    print(f"{Organization.objects.count():,} organizations, {n_stats:,} stat rows")
    out = []
    for node, level in ((root, 1), (city, 2)):
        for period in ("month", "quarter", "year"):
            url = f"/orglife/stats/?org={node.pk}&period={period}&month={YEAR}-09&level={level}"
            for _ in range(3):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            data = completion(node, period_of(period, dt.date(YEAR, 9, 1)), level=level)
            p = data.period

            def raw(node: Any = node, p: Any = p, level: int = level) -> dict[str, Any]:
                return hand_written(connection, node, p.start, p.months[-1], level=level)

            check_same(raw(), data)
            recorder = Recorder()
            with connection.execute_wrapper(recorder):
                client.get(url)
            rollup_sql = [(sql, params) for sql, params, _ms in recorder.queries if "completionrollup" in sql]
            page_times: list[float] = []
            data_times: list[float] = []
            sql_times: list[float] = []
            every = max(1, args.requests // max(1, args.sql_runs))
            for i in range(args.requests):
                started = time.perf_counter()
                client.get(url)
                page_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                completion(node, p, level=level)  # the selector alone: the level's nodes and their rollups
                data_times.append((time.perf_counter() - started) * 1000)
                if i % every == 0 and len(sql_times) < args.sql_runs:
                    started = time.perf_counter()
                    raw()
                    sql_times.append((time.perf_counter() - started) * 1000)
            sql_ms = statistics.median(sql_times)
            server = []
            with connection.cursor() as cursor:
                for sql, params in rollup_sql:  # the server's own time for the rollup read
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                    plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else plan
                    server.append(f"{plan['Execution Time']:.2f} ms, {plan['Plan']['Actual Rows']} rows")
            print(
                f"{node.short_name} level {level} {period}: {len(recorder.queries)} queries in the request;"
                f" rollup read EXPLAIN ANALYZE {'; '.join(server)}; selector p50 {pct(data_times, 50):.1f}"
                f" p95 {pct(data_times, 95):.1f} ms",
                flush=True,
            )
            out.append(
                [
                    f"{node.short_name} L{level}",
                    period,
                    f"{pct(page_times, 50):.1f}",
                    f"{pct(page_times, 95):.1f}",
                    f"{max(page_times):.1f}",
                    f"{sql_ms:.0f} ({min(sql_times):.0f}–{max(sql_times):.0f})",
                    f"{pct(page_times, 50) / sql_ms:.4f}",
                    f"{pct(data_times, 50):.1f} / {pct(data_times, 95):.1f}",
                ]
            )
    print()
    print(
        table(
            [
                "节点",
                "周期",
                "页面 p50 ms",
                "页面 p95 ms",
                "页面 max ms",
                "手写SQL ms 中位数（范围）",
                "p50 比值",
                "选择器 p50 / p95 ms",
            ],
            out,
        )
    )
    print(
        f"\npostgres, {args.requests} requests and {args.sql_runs} hand-written runs each; target page p95 ≤ 20 ms"
    )


class Recorder:
    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


SUM_FIELDS = ("required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present")


def hand_written(connection: Any, root: Any, start: dt.date, end: dt.date, *, level: int) -> dict[str, Any]:
    """The dashboard's figures by hand: the level's organizations, sums per path prefix of that level, sums
    per meeting type, late plans per prefix. Paths are fixed-width base-36 steps, so a subtree is the range
    [path, path + "~") and a node `level` steps down is the first (depth + level) * step characters."""
    from orgs.paths import PATH_STEP

    lo, hi = root.path, root.path + "~"  # "~" sorts after every path character (0-9A-Z)
    width = (root.depth + level) * PATH_STEP
    sums = ", ".join(f"SUM({f})" for f in SUM_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, path, name FROM orgs_organization WHERE path >= %s AND path < %s AND depth = %s"
            " AND kind <> 'group' ORDER BY path",
            [lo, hi, root.depth + level],
        )
        nodes = cursor.fetchall()
        cursor.execute(
            f"SELECT substr(org_path, 1, %s), {sums}, COUNT(DISTINCT org_id) FROM orglife_completionstat"
            " WHERE org_path >= %s AND org_path < %s AND month >= %s AND month <= %s GROUP BY 1",
            [width, lo, hi, start, end],
        )
        by_prefix = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT meeting_type, {sums} FROM orglife_completionstat"
            " WHERE org_path >= %s AND org_path < %s AND month >= %s AND month <= %s GROUP BY meeting_type",
            [lo, hi, start, end],
        )
        by_type = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT substr(o.path, 1, %s), COUNT(*) FROM orglife_monthlyplan p"
            " JOIN orgs_organization o ON o.id = p.org_id WHERE o.path >= %s AND o.path < %s"
            " AND p.month >= %s AND p.month <= %s AND p.is_late = %s GROUP BY 1",
            [width, lo, hi, start, end, True],
        )
        late = dict(cursor.fetchall())
    return {"nodes": nodes, "by_prefix": by_prefix, "by_type": by_type, "late": late}


def check_same(mine: dict[str, Any], data: Any) -> None:
    """The hand-written figures are the page's: rows, per-type table and totals."""
    rows = [
        (org_id, [int(v or 0) for v in mine["by_prefix"].get(path, (0,) * 8)], mine["late"].get(path, 0))
        for org_id, path, _name in mine["nodes"]
    ]
    page_rows = [
        (r.org.pk, [getattr(r.totals, f) for f in (*SUM_FIELDS, "branches")], r.totals.late_plans)
        for r in data.rows
    ]
    assert rows == page_rows, "the hand-written level rows differ from the page's"
    page_types = {t.meeting_type: [getattr(t.totals, f) for f in SUM_FIELDS] for t in data.by_type}
    assert {k: [int(v or 0) for v in vals] for k, vals in mine["by_type"].items()} == page_types
    totals = [sum(int(vals[i] or 0) for vals in mine["by_prefix"].values()) for i in range(len(SUM_FIELDS))]
    assert totals == [getattr(data.totals, f) for f in SUM_FIELDS], "totals differ"
    assert sum(mine["late"].values()) == data.totals.late_plans


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from orglife.selectors.stats import completion, period_of
    from orgs.models import Organization, RoleGrant
    from orgs.roles import Role

    ensure_orgs(args.seed)
    n_stats = ensure_stats(args.seed)
    ensure_rollups()
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    user, _ = User.objects.get_or_create(username="bench_dept", defaults={"must_change_password": False})
    RoleGrant.objects.get_or_create(user=user, org=root, role=Role.DEPT_ADMIN)
    client = Client()
    client.force_login(user)
    committees = Organization.objects.filter(depth=root.depth + 2).exclude(kind="group").count()
    print(
        f"{Organization.objects.count():,} organizations, {n_stats:,} stat rows; city {root.short_name}, "
        f"{committees} organizations two levels down"
    )

    out = []
    for period in ("month", "quarter", "year"):
        url = f"/orglife/stats/?org={root.pk}&period={period}&month={YEAR}-09&level=2"
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            client.get(url)
        # What the page shows, from the selector the view calls (the test client keeps no context here).
        data = completion(root, period_of(period, dt.date(YEAR, 9, 1)), level=2)
        period_obj = data.period
        aggregates = [q for q in recorder.queries if "orglife_" in q[0]]

        def raw(root: Any = root, period_obj: Any = period_obj) -> dict[str, Any]:
            return hand_written(connection, root, period_obj.start, period_obj.months[-1], level=2)

        check_same(raw(), data)
        page_times, sql_times = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw()
            sql_times.append((time.perf_counter() - started) * 1000)
        page_ms, sql_ms = statistics.median(page_times), statistics.median(sql_times)
        print(
            f"\n{period}: {url} — {len(recorder.queries)} queries in the request, {len(aggregates)} on orglife tables"
        )
        for sql, _params, ms in recorder.queries:
            print(f"  {ms:8.2f} ms  {sql[:140]}")
        out.append([period, f"{page_ms:.1f}", f"{sql_ms:.1f}", f"{page_ms / sql_ms:.2f}"])
    print()
    print(table(["周期", "页面 ms（中位数）", "手写SQL ms（中位数）", "比值"], out))
    print(f"\n{args.db}, {args.runs} runs each; target ratio ≤ 1.5")


if __name__ == "__main__":
    main()
