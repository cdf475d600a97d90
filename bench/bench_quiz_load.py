"""Load test for issue 14: 1,000 members start the same timed quiz at the same second (PostgreSQL).

    .venv/bin/python bench/bench_quiz_load.py --db h_quiz_load [--takers 1000] [--port 18700]
                                              [--workers 2] [--threads 8] [--duration 150]
                                              [--mode start|read|both]

--mode read is the baseline: the same members, released at the same second, each read the same campaign once
(GET /api/v1/quizzes/campaigns/<id>/: session, user, access, one object; no draw, no write) — what 1,000
simultaneous logged-in requests that do nothing cost this server. --mode both runs read, then start, on the
same server and data, and prints both.

Data (made here, not through the demo: a county demo takes ~10 min on this machine): one county with 20
branches, --takers members each with an account (member role), a 20,000-question bank (as in
bench_quiz_draw.py), one exam for the county drawing 20 questions by 4 quotas, 30-minute limit. Every
member gets a session written straight into the session table (the login form's password hash is not
what this measures). Half the members ("batch") submit their 20 answers in one request, the other half
("each") save one answer per request and then submit: the same run, the same server.

Then gunicorn (gthread, --workers × --threads) on 127.0.0.1:--port and locust (bench/locustfile_quiz.py,
its own virtualenv var/locust-venv) with all takers spawned in the first second and released together at
one second. Afterwards the database is read: attempts started and submitted, and the answers the server
acknowledged (2xx) that are not stored — lost answers. Reports locust's p50/p95 per request kind and the
failures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import ROOT, ensure_locust  # noqa: E402

BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432"


def prepare(takers: int, work: Path) -> int:
    """Members, accounts, sessions, bank and campaign; returns the campaign's id."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from bench_quiz_draw import ensure_bank

    from accounts.models import User
    from conftest import make_member, make_org
    from ops.sessions import SessionStore
    from orgs.models import RoleGrant
    from orgs.roles import Role
    from quizzes import services
    from quizzes.models import Category

    county = ensure_bank(20_000)
    branches = [make_org(county, f"第{i}党支部", "branch", f"B{i:04d}") for i in range(1, 21)]
    admin = User.objects.create_user(username="quiz_admin", password=None, must_change_password=False)
    RoleGrant.objects.create(user=admin, org=county, role=Role.DEPT_ADMIN)
    lines = []
    for i in range(takers):
        member = make_member(branches[i % len(branches)], f"党员{i}", phone=f"139{i:08d}")
        user = User.objects.create_user(
            username=f"taker{i}", password=None, must_change_password=False, member=member
        )
        RoleGrant.objects.create(user=user, org=member.org, role=Role.MEMBER)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        lines.append(json.dumps({"session": store.session_key, "mode": "batch" if i % 2 else "each"}))
    (work / "sessions.jsonl").write_text("\n".join(lines) + "\n")
    themes = {c.name: c for c in Category.objects.filter(parent=None)}
    chapter = Category.objects.filter(parent=themes["条例"]).order_by("pk").first()
    assert chapter is not None
    now = timezone.now()
    campaign = services.create_campaign(
        actor=admin,
        org=county,
        title="千人同时答题",
        starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(days=1),
        quotas=[
            {"category": themes["党章"].pk, "difficulty": 1, "count": 5},
            {"category": themes["准则"].pk, "difficulty": None, "count": 5},
            {"category": chapter.pk, "difficulty": 2, "count": 5},
            {"category": themes["二十大报告"].pk, "difficulty": 3, "count": 5},
        ],
        time_limit_minutes=30,
        points_on_pass=False,
    )
    return campaign.pk


def count(acks_path: Path) -> dict[str, int]:
    from django.db import connection

    acks = json.loads(acks_path.read_text())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(submitted_at) FROM quizzes_attempt")
        started, submitted = cursor.fetchone()
        cursor.execute("CREATE TEMP TABLE acked (attempt_id bigint, question_id bigint)")
        if acks["answers"]:
            cursor.executemany("INSERT INTO acked VALUES (%s, %s)", acks["answers"])
        cursor.execute(
            "SELECT count(*) FROM acked a LEFT JOIN quizzes_attemptitem i"
            " ON i.attempt_id = a.attempt_id AND i.question_id = a.question_id"
            " WHERE i.response IS NULL"
        )
        lost = cursor.fetchone()[0]
    return {
        "attempts started": started,
        "attempts submitted": submitted,
        "submits acknowledged": len(acks["submitted"]),
        "answers acknowledged": len(acks["answers"]),
        "lost answers": lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="h_quiz_load")
    parser.add_argument("--takers", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=int, default=150)
    parser.add_argument("--lead", type=int, default=20, help="seconds between launch and the common start")
    parser.add_argument("--mode", choices=["start", "read", "both"], default="start")
    args = parser.parse_args()
    locust = ensure_locust()
    work = Path(tempfile.mkdtemp(prefix="h_quiz_load-"))
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    env = {**os.environ, "DATABASE_URL": f"{PG}/{args.db}", "XIANFENG_VAR_DIR": str(work)}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    campaign = prepare(args.takers, work)
    print(f"prepared in {time.monotonic() - started:.0f} s: {work}", flush=True)
    host = f"http://127.0.0.1:{args.port}"
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-k",
            "gthread",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "-b",
            f"127.0.0.1:{args.port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            # Longer than the takers' longest pause between answers (2 s), gunicorn's default keep-alive: with 2 s
            # the client reused connections the server had just closed (the "each" takers' resets of 2026-12-06).
            "--keep-alive",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{host}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        acks = work / "acks.json"
        for mode in ["read", "start"] if args.mode == "both" else [args.mode]:
            print(f"--- mode {mode}", flush=True)
            subprocess.run(
                [
                    str(locust),
                    "-f",
                    str(ROOT / "bench" / "locustfile_quiz.py"),
                    "--headless",
                    "--only-summary",
                    "-u",
                    str(args.takers),
                    "-r",
                    str(args.takers),
                    "-t",
                    f"{args.duration}s",
                    "--stop-timeout",
                    "30",
                    "--host",
                    host,
                    "--csv",
                    str(work / f"locust-{mode}"),
                ],
                cwd=work,
                env={
                    **env,
                    "XIANFENG_QUIZ_SESSIONS": str(work / "sessions.jsonl"),
                    "XIANFENG_QUIZ_START": str(time.time() + args.lead),
                    "XIANFENG_QUIZ_CAMPAIGN": str(campaign),
                    "XIANFENG_QUIZ_ACKS": str(acks),
                    "XIANFENG_QUIZ_MODE": mode,
                },
                check=False,
            )
    finally:
        server.send_signal(signal.SIGTERM)  # it may still be draining queued requests
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    for mode in ["read", "start"] if args.mode == "both" else [args.mode]:
        with open(work / f"locust-{mode}_stats.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                print(
                    f"{row['Name']:<16} n={row['Request Count']:>6} fail={row['Failure Count']:>4}"
                    f" p50={row['50%']:>6} p95={row['95%']:>6} p99={row['99%']:>6} max={row['Max Response Time']}"
                )
        failures = work / f"locust-{mode}_failures.csv"
        if failures.exists():
            print(failures.read_text()[:2000])
    text = (work / "server.log").read_text(errors="replace")
    print(
        "server log errors:", sum(1 for line in text.splitlines() if "Traceback" in line or "ERROR" in line)
    )
    for k, v in count(acks).items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
