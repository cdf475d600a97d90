"""Benchmark: demo-data generation speed (rows/s) and peak memory, SQLite and PostgreSQL.

    .venv/bin/python bench/bench_generate.py [--db sqlite|postgres|both] [--scales county,city]
                                             [--province-limit 300000] [--seed 1]

Each run happens in its own process on a throwaway database, so peak RSS belongs to that run.
Prints rows/s by the wall clock and per CPU-second of this process (on SQLite the database's work is in
the process; on a loaded machine the wall clock also counts time spent waiting for a core), each with its
ratio to the issue's floor of 20,000 rows/s (issue 16).
`--province-limit N` adds a province run cut off after N members: it must stream, i.e. its peak
memory must stay near the county run's and not grow with the number of members.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = 20_000  # rows/s, issue 16


def worker(db: str, scale: str, seed: int, limit: int | None) -> None:
    sys.path.insert(0, str(HERE))
    from common import open_database

    with open_database(db) as where:
        import datetime as dt

        from orgs import demo

        print(f"[{db} {scale}] {where}", file=sys.stderr)

        def progress(stats: demo.Stats) -> None:
            print(
                f"  [{db} {scale}] orgs {stats.orgs:,} members {stats.members:,} positions {stats.positions:,}"
                f" · {stats.rows_per_second:,.0f} rows/s · peak RSS {stats.peak_rss_mb():,.0f} MB",
                file=sys.stderr,
            )

        import time

        chunks = demo.iter_chunks(scale, seed, today=dt.date(2026, 11, 24))
        cpu = time.process_time()
        stats = demo.write(chunks, limit_members=limit, progress=progress, every=25)
        cpu = time.process_time() - cpu
        result = {
            "db": db,
            "scale": scale + (f" (first {limit:,} members)" if limit else ""),
            "orgs": stats.orgs,
            "members": stats.members,
            "positions": stats.positions,
            "rows": stats.rows,
            "seconds": round(stats.seconds, 1),
            "rows_per_s": round(stats.rows_per_second),
            "cpu_s": round(cpu, 2),
            "rows_per_cpu_s": round(stats.rows / cpu),
            "prepare_s": round(stats.prepare_seconds, 1),
            "insert_s": round(stats.insert_seconds, 1),
            "peak_rss_mb": round(stats.peak_rss_mb()),
        }
        print("RESULT " + json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--scales", default="county,city")
    parser.add_argument("--province-limit", type=int, default=300_000, help="0 to skip the province run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.scale, args.seed, args.limit)
        return
    from common import table

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    runs = [(db, scale, None) for db in dbs for scale in args.scales.split(",") if scale]
    if args.province_limit:
        runs += [(db, "province", args.province_limit) for db in dbs]
    results = []
    for db, scale, limit in runs:
        cmd = [sys.executable, __file__, "--worker", "--db", db, "--scale", scale, "--seed", str(args.seed)]
        if limit:
            cmd += ["--limit", str(limit)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        line = next(li for li in proc.stdout.splitlines() if li.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
        print(line, flush=True)
    headers = [
        "数据库",
        "规模",
        "组织",
        "党员",
        "职务",
        "总行数",
        "用时 s",
        "行/秒",
        "比 2万",
        "CPU s",
        "行/CPU秒",
        "比 2万 (CPU)",
        "准备 s",
        "写库 s",
        "峰值内存 MB",
    ]
    rows = [
        [
            r["db"],
            r["scale"],
            f"{r['orgs']:,}",
            f"{r['members']:,}",
            f"{r['positions']:,}",
            f"{r['rows']:,}",
            r["seconds"],
            f"{r['rows_per_s']:,}",
            f"{r['rows_per_s'] / FLOOR:.2f}×",
            r["cpu_s"],
            f"{r['rows_per_cpu_s']:,}",
            f"{r['rows_per_cpu_s'] / FLOOR:.2f}×",
            r["prepare_s"],
            r["insert_s"],
            r["peak_rss_mb"],
        ]
        for r in results
    ]
    print()
    print(table(headers, rows))


if __name__ == "__main__":
    main()
