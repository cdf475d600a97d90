"""Load test: the locust scenario (bench/locustfile.py) against gunicorn on a throwaway county demo.

For each database (SQLite, PostgreSQL): a fresh database (temporary var dir / `xianfeng_load_<pid>` on
127.0.0.1:5432), migrate, `generate_demo --scale county` (a year of history included), `demo_logins`,
then gunicorn with 2 workers on 127.0.0.1 and locust headless for a fixed time and user count. Reports
throughput, median and p95 latency, errors, and whether the server logged "database is locked" or
answered 5xx. Everything is torn down at the end.

Locust runs from its own virtualenv (var/locust-venv, pinned in bench/requirements-load.txt), created
on first use, so its dependencies (gevent, Flask…) never enter the application's environment.

    .venv/bin/python bench/bench_load.py --db both --users 20 --duration 90
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUST_VENV = ROOT / "var" / "locust-venv"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def ensure_locust() -> Path:
    locust = LOCUST_VENV / "bin" / "locust"
    if not locust.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run(
            [
                str(LOCUST_VENV / "bin" / "pip"),
                "install",
                "-q",
                "-r",
                str(ROOT / "bench" / "requirements-load.txt"),
            ],
            check=True,
        )
    return locust


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def _photo(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (196, 30, 36))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1200)], fill=(255, 215, 0), width=3)
    image.save(path, "JPEG", quality=85)


def _wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not come up at {url}")


def run_one(kind: str, args: argparse.Namespace, locust: Path) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"xianfeng-load-{kind}-"))
    env = {
        **os.environ,
        "XIANFENG_VAR_DIR": str(work / "var"),
        "XIANFENG_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    # The simulated users share a few demo accounts from one address; in production each person is
    # their own account and address, so the per-account login limit is lifted for the load run only.
    env["XIANFENG_RATE_LOGIN"] = "10000/300"
    env.pop("DATABASE_URL", None)
    db_name = f"xianfeng_load_{os.getpid()}"
    if kind == "postgres":
        _pg_admin(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = f"{PG_SERVER}/{db_name}"
    server = None
    try:
        started = time.monotonic()
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "generate_demo", "--scale", args.scale, "--seed", "1")
        _manage(env, "demo_logins")
        setup_s = time.monotonic() - started
        photo = work / "meeting.jpg"
        _photo(photo)
        server_log = work / "server.log"
        host = f"http://127.0.0.1:{args.port}"
        with server_log.open("wb") as log:
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi",
                    "-w",
                    str(args.workers),
                    "-b",
                    f"127.0.0.1:{args.port}",
                    "--access-logfile",
                    "-",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _wait_up(f"{host}/accounts/login/")
            prefix = work / "locust"
            subprocess.run(
                [
                    str(locust),
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--only-summary",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    f"{args.duration}s",
                    "--stop-timeout",
                    "10",
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                ],
                cwd=work,
                env={**env, "XIANFENG_LOAD_PHOTO": str(photo)},
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        text = server_log.read_text(errors="replace")
        kept = ROOT / "var" / f"load-server-{kind}.log"
        kept.parent.mkdir(exist_ok=True)
        shutil.copyfile(server_log, kept)  # for a look at any error after the run
        with open(f"{prefix}_stats.csv", newline="") as fh:
            rows = {r["Name"]: r for r in csv.DictReader(fh)}
        total = rows["Aggregated"]
        writes = {
            name: rows[name]
            for name in (
                "/api/v1/points/declarations/",
                "/api/v1/orglife/records/ POST",
                "/api/v1/orglife/records/[id]/attachments/ POST",
            )
            if name in rows
        }
        failures_csv = Path(f"{prefix}_failures.csv")
        failures = list(csv.DictReader(failures_csv.open())) if failures_csv.exists() else []
        return {
            "failure_rows": [(f["Method"], f["Name"], f["Error"][:120], f["Occurrences"]) for f in failures],
            "db": kind,
            "setup_s": setup_s,
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]),
            "p50": float(total["50%"]),
            "p95": float(total["95%"]),
            "writes": {n: (int(r["Request Count"]), float(r["95%"])) for n, r in writes.items()},
            "locked": text.count("database is locked"),
            "server_5xx": sum(1 for line in text.splitlines() if '" 50' in line and "HTTP/1.1" in line),
        }
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if kind == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", default="county")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--duration", type=int, default=90, help="seconds of load (default 90)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 10 <= args.duration <= 600:
        raise SystemExit("bounded runs only: 1–200 users, 10–600 seconds")
    locust = ensure_locust()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_one(kind, args, locust) for kind in kinds]
    print(f"\n{args.users} users, {args.duration} s, gunicorn {args.workers} workers, {args.scale} demo\n")
    print("| 数据库 | 请求数 | 吞吐 req/s | p50 ms | p95 ms | 错误 | database is locked | 服务器 5xx |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['db']} | {r['requests']:,} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['failures']} | {r['locked']} | {r['server_5xx']} |"
        )
    print("\n| 数据库 | 写操作 | 次数 | p95 ms |\n|---|---|---|---|")
    for r in results:
        for name, (count, p95) in r["writes"].items():  # type: ignore[attr-defined]
            print(f"| {r['db']} | {name} | {count} | {p95:.0f} |")
    for r in results:
        print(f"{r['db']}: demo set-up {r['setup_s']:.0f} s")
        for row in r["failure_rows"]:  # type: ignore[attr-defined]
            print(f"{r['db']}: FAILED {' '.join(row)}")
    bad = [r for r in results if r["failures"] or r["locked"] or r["server_5xx"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
