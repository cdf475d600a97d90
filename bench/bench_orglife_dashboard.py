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
  sql:  the aggregate queries over CompletionStat and MonthlyPlan that the view sent (totals, per type,
        per committee by path prefix, late plans), captured from that request and re-executed raw.

and prints the ratio page/sql (target ≤ 1.5).
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
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
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


class Recorder:
    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from orgs.models import Organization, RoleGrant
    from orgs.roles import Role

    ensure_orgs(args.seed)
    n_stats = ensure_stats(args.seed)
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
        aggregates = [
            q for q in recorder.queries if ("orglife_completionstat" in q[0] or "orglife_monthlyplan" in q[0])
        ]

        def raw(aggregates: Any = aggregates) -> None:
            with connection.cursor() as cursor:
                for sql, params, _ in aggregates:
                    cursor.execute(sql, params)
                    cursor.fetchall()

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
            f"\n{period}: {url} — {len(recorder.queries)} queries in the request, {len(aggregates)} aggregates"
        )
        for sql, _params, ms in recorder.queries:
            print(f"  {ms:8.2f} ms  {sql[:140]}")
        out.append([period, f"{page_ms:.1f}", f"{sql_ms:.1f}", f"{page_ms / sql_ms:.2f}"])
    print()
    print(table(["周期", "页面 ms（中位数）", "聚合SQL ms（中位数）", "比值"], out))
    print(f"\n{args.db}, {args.runs} runs each; target ratio ≤ 1.5")


if __name__ == "__main__":
    main()
