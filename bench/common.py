"""Shared set-up for the benchmarks: a throwaway SQLite or PostgreSQL database and timing helpers.

Import this module before anything from Django: it sets the environment, then `open_database`
runs `django.setup()` and the migrations.

SQLite: a temporary XIANFENG_VAR_DIR (database file and dev keys), removed at the end.
PostgreSQL: a database `xianfeng_bench_<pid>` on 127.0.0.1:5432 as user postgres (trust auth),
dropped at the end. `reuse` keeps an existing directory or database instead (and never drops it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["XIANFENG_DEBUG"] = "0"  # no query log: memory stays flat on long runs

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def open_database(
    kind: str, *, reuse: str | None = None, keep: bool = False, name: str | None = None
) -> Iterator[str]:
    """Point Django at a throwaway (or reused) database, migrate it, and yield a description.
    `name` names the throwaway PostgreSQL database (default `xianfeng_bench_<pid>`)."""
    if kind not in ("sqlite", "postgres"):
        raise SystemExit(f"--db must be sqlite or postgres, not {kind!r}")
    db_name = ""
    if kind == "sqlite":
        var_dir = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="xianfeng-bench-"))
        os.environ["XIANFENG_VAR_DIR"] = str(var_dir)
        os.environ.pop("DATABASE_URL", None)
        where = f"SQLite {var_dir / 'xianfeng.sqlite3'}"
    else:
        db_name = reuse or name or f"xianfeng_bench_{os.getpid()}"
        if not reuse:
            _pg_admin(f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{db_name}"
        # Personal-data keys live in the var dir: keep one per reusable database.
        var_dir = Path(tempfile.gettempdir()) / f"{db_name}-var"
        var_dir.mkdir(exist_ok=True)
        os.environ["XIANFENG_VAR_DIR"] = str(var_dir)
        where = f"PostgreSQL database {db_name}"
    import django
    from django.core.management import call_command

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        yield where
    finally:
        from django.db import connections

        connections.close_all()
        if not (reuse or keep):
            if kind == "postgres":
                _pg_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
        elif keep and not reuse:
            print(f"kept for --reuse: {db_name or var_dir}")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (pasted as is into bench/RESULTS.md)."""
    cells = [[str(c) for c in row] for row in rows]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(out)
