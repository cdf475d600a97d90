"""Benchmark: "members under node X, filtered and paginated" — the page against its own SQL.

    .venv/bin/python bench/bench_member_list.py [--db sqlite|postgres] [--reuse PATH_OR_DBNAME] [--keep]
                                                [--scale city] [--runs 21]

Generates the city scale (~12,000 organizations, ~250,000 members) into a throwaway database,
unless --reuse names a kept one (a SQLite var directory, or a PostgreSQL database name; --keep
keeps the database this run creates). Then, as a 组织部管理员 (dept_admin on the root), for a few
nodes X it times in the same run, interleaved, median of N:

  page: GET /members/?org=X&category=full&page=3 through the Django test client (the whole
        server side: middleware, session, access scope, filter, count, page, tree, template);
  sql:  an independent hand-written query of the same result — the COUNT of full members under X by
        its path range and the third page of 20 with the columns the table shows — checked to return
        the page's very rows, run through a cursor (never the view's own captured SQL, so a bad query
        in the view shows as a large ratio).

and prints the ratio page/sql (target ≤ 2), the page's own time page − sql, and every query of the
request with its time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--scale", default="city", choices=["tiny", "county", "city"])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
        run(args)


def ensure_data(scale: str, seed: int) -> None:
    from orgs import demo
    from orgs.models import Organization

    if Organization.objects.exists():
        return
    print(f"generating the {scale} scale …")

    def progress(stats: demo.Stats) -> None:
        print(f"  members {stats.members:,} · {stats.rows_per_second:,.0f} rows/s", flush=True)

    stats = demo.write(
        demo.iter_chunks(scale, seed, today=dt.date(2026, 11, 24)), progress=progress, every=25
    )
    demo.analyze()
    print(f"generated {stats.orgs:,} organizations, {stats.members:,} members in {stats.seconds:.0f} s")


class Recorder:
    """A database execute wrapper that keeps (sql, params, milliseconds) of each query."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def run(args: argparse.Namespace) -> None:
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import User
    from orgs.demo import DEMO_COUNTY_CODE
    from orgs.models import Member, Organization, RoleGrant
    from orgs.paths import path_successor
    from orgs.roles import Role

    ensure_data(args.scale, args.seed)
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    user, _ = User.objects.get_or_create(username="bench_dept", defaults={"must_change_password": False})
    RoleGrant.objects.get_or_create(user=user, org=root, role=Role.DEPT_ADMIN)
    client = Client()
    client.force_login(user)
    county = Organization.objects.get(code=DEMO_COUNTY_CODE)
    committee = county.children.filter(kind__in=Organization.COMMITTEE_KINDS).order_by("path").first()
    nodes = [("city root", root), ("county", county), ("committee", committee)]
    if root.pk == county.pk:  # at county scale the tree's root is the county: measure it once
        nodes = nodes[1:]
    print(f"{Organization.objects.count():,} organizations, {Member.objects.count():,} members")

    rows = []
    for label, node in nodes:
        if node is None:
            continue
        url = f"/members/?org={node.pk}&category=full&page=3"
        for _ in range(3):  # warm caches, sessions and the template loader
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            client.get(url)
        setup_test_environment()  # for response.context; undone before the timed runs (it slows templates)
        shown = [m.pk for m in client.get(url).context["page"].object_list]
        teardown_test_environment()
        lo, hi = node.path, path_successor(node.path)

        def raw(lo: str = lo, hi: str | None = hi) -> list[int]:
            """The same page written by hand: count the members under the node, then the third page of 20."""
            upper = "AND o.path < %s" if hi is not None else ""
            bounds = [lo, hi] if hi is not None else [lo]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id "
                    f"WHERE o.path >= %s {upper} AND m.category = 'full'",
                    bounds,
                )
                cursor.fetchone()
                cursor.execute(
                    "SELECT m.id, m.name, m.gender, m.id_number_masked, m.category, m.joined_on, m.phone_masked, "
                    "m.status, m.is_exempt, m.exempt_reason, o.name, o.short_name, g.name, g.short_name "
                    "FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id "
                    "LEFT JOIN orgs_organization g ON g.id = m.party_group_id "
                    f"WHERE o.path >= %s {upper} AND m.category = 'full' "
                    "ORDER BY m.org_id, m.id LIMIT 20 OFFSET 40",
                    bounds,
                )
                return [row[0] for row in cursor.fetchall()]

        assert raw() == shown, "the hand-written query does not give the page's rows"
        page_times, sql_times = [], []
        for _ in range(args.runs):  # interleaved, so both see the same cache state
            started = time.perf_counter()
            client.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw()
            sql_times.append((time.perf_counter() - started) * 1000)
        page_ms, sql_ms = statistics.median(page_times), statistics.median(sql_times)
        members = Member.objects.under(node).filter(category=Member.Category.FULL).count()
        rows.append(
            [
                label,
                node.short_name,
                f"{members:,}",
                f"{page_ms:.1f}",
                f"{sql_ms:.1f}",
                f"{page_ms - sql_ms:.1f}",
                f"{page_ms / sql_ms:.2f}",
            ]
        )
        print(f"\n{label} {node.short_name} ({url}): {len(recorder.queries)} queries in the request")
        for sql, _params, ms in recorder.queries:
            print(f"  {ms:8.2f} ms  {sql[:150]}")
    print()
    headers = ["节点", "名称", "正式党员", "页面 ms（中位数）", "SQL ms（中位数）", "页面−SQL ms", "比值"]
    print(table(headers, rows))
    print(f"\n{args.db}, {args.runs} runs each; target ratio ≤ 2")


if __name__ == "__main__":
    main()
