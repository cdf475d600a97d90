"""kill -9 of a real `manage.py db_worker` at each step of a send: every SMS still reaches the provider once.

Each scenario gets its own database — a copy of the test database holding three due messages and the
delivery task their commit enqueued: a SQLite file, or on PostgreSQL a database made from the test
database as template — and its own outbox (the real file backend). The "stall" backend hangs
the worker at one step; the test checks the step was reached, kills the worker with SIGKILL, lets the
leases run out, then runs what production runs: one scheduler round (`run_scheduler --once`, which
enqueues delivery and the reclaiming of abandoned tasks) and a worker until the queue is empty. The three
scenarios run side by side to keep the test short.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from notifications import services

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2  # seconds, for messages and for tasks
KEYS = ["fault:1", "fault:2", "fault:3"]
TASKS = "django_tasks_database_dbtaskresult"
RECOVER = (
    "from django.core.management import call_command; "
    "call_command('run_scheduler', '--once'); "
    "call_command('db_worker', '--batch', '--no-reload', '--no-startup-delay', '--interval', '0')"
)

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Scenario:
    step: str
    stall: str  # where the stall backend hangs the worker
    statuses_at_kill: list[str]
    lines_at_kill: int
    recovered: str  # what the recovery's delivery reports
    folder: Path = field(default_factory=Path)
    database_url: str = ""
    worker: subprocess.Popen | None = None

    @property
    def outbox(self):
        return self.folder / "sms.jsonl"

    def env(self, backend):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DATABASE_URL=self.database_url,
            XIANFENG_VAR_DIR=str(self.folder / "var"),
            XIANFENG_PII_KEY=settings.PII_KEY,
            XIANFENG_SECRET_KEY=settings.SECRET_KEY,
            XIANFENG_SMS_BACKEND=backend,
            XIANFENG_SMS_STALL=self.stall,
            XIANFENG_SMS_FILE=str(self.outbox),
            XIANFENG_SMS_LEASE_SECONDS=str(LEASE),
            XIANFENG_TASK_LEASE_SECONDS=str(LEASE),
            XIANFENG_LOG_LEVEL="WARNING",
        )
        return env

    def manage(self, *args, backend):
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(backend),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def query(self, sql):
        if self.database_url.startswith("sqlite"):
            with closing(sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=10)) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(self.database_url, autocommit=True) as db:
            return db.execute(sql).fetchall()

    def statuses(self):
        return [s for (s,) in self.query("SELECT status FROM notifications_message ORDER BY dedupe_key")]

    def task_statuses(self):
        return self.query(f"SELECT task_path, status, exception_class_path FROM {TASKS}")

    def reports(self):
        values = [value for (value,) in self.query(f"SELECT return_value FROM {TASKS}") if value]
        # SQLite hands back the JSON text, psycopg the decoded value
        return [json.loads(v) for v in values] if self.database_url.startswith("sqlite") else values

    def lines(self):
        text = self.outbox.read_text() if self.outbox.exists() else ""
        return [json.loads(line) for line in text.splitlines()]


def report(sent=0, confirmed=0):
    return str(services.DeliveryReport(sent=sent, confirmed=confirmed))


SCENARIOS = [
    # The claimed message is not at the provider: it is sent, with the two others.
    Scenario("after claim", "before:1", ["sending", "pending", "pending"], 0, report(sent=3)),
    # The provider has the message: it is marked sent, not sent again.
    Scenario(
        "after send, before mark",
        "after:1",
        ["sending", "pending", "pending"],
        1,
        report(sent=2, confirmed=1),
    ),
    # The first message is done; the second was claimed when the worker died.
    Scenario("after mark", "before:2", ["sent", "sending", "pending"], 1, report(sent=2)),
]


@contextmanager
def copies_of_the_test_database(folders):
    """One database per scenario, each a copy of the test database as it is now."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        urls = []
        for folder in folders:
            with closing(sqlite3.connect(folder / "xianfeng.sqlite3")) as target:
                connection.connection.backup(target)
            urls.append(f"sqlite:///{folder / 'xianfeng.sqlite3'}")
        yield urls
        return
    params = connection.settings_dict
    test_db = params["NAME"]
    names = [f"{test_db}_fault{n}" for n in range(len(folders))]
    server = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}"
    connection.close()  # a template database must have no other session
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{test_db}"')
    try:
        yield [f"{server}/{name}" for name in names]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_worker_killed_at_each_step_sends_every_message_exactly_once(tmp_path):
    with transaction.atomic():  # three messages, one delivery task
        for key in KEYS:
            services.enqueue_message(
                channel="sms", dedupe_key=key, phone="13812345678", body=f"【先锋】{key}"
            )
    folders = [tmp_path / f"s{n}" for n in range(len(SCENARIOS))]
    for folder in folders:
        folder.mkdir()
    with copies_of_the_test_database(folders) as urls:
        try:
            run_scenarios(folders, urls)
        finally:
            for scenario in SCENARIOS:
                if scenario.worker is not None and scenario.worker.poll() is None:
                    scenario.worker.kill()
                    scenario.worker.wait(10)


def run_scenarios(folders, urls):
    for scenario, folder, url in zip(SCENARIOS, folders, urls, strict=True):
        scenario.folder, scenario.database_url = folder, url
        scenario.worker = scenario.manage(
            "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", backend="stall"
        )

    for scenario in SCENARIOS:
        marker = scenario.outbox.with_name("sms.jsonl.stalled")
        wait_for(marker.exists, 45, f"the worker to reach the step {scenario.step}")
        assert int(marker.read_text()) == scenario.worker.pid
        assert scenario.statuses() == scenario.statuses_at_kill, scenario.step
        assert len(scenario.lines()) == scenario.lines_at_kill, scenario.step
        scenario.worker.send_signal(signal.SIGKILL)
        scenario.worker.wait(10)
        running = [(path, status) for path, status, _ in scenario.task_statuses() if status == "RUNNING"]
        assert running == [("notifications.tasks.deliver_due_messages", "RUNNING")], scenario.step

    time.sleep(LEASE + 0.5)  # the killed workers' leases, on their messages and on their tasks, run out
    recoveries = [scenario.manage("shell", "-c", RECOVER, backend="file") for scenario in SCENARIOS]
    outputs = [recovery.communicate(timeout=60)[0] for recovery in recoveries]

    for scenario, recovery, output in zip(SCENARIOS, recoveries, outputs, strict=True):
        assert recovery.returncode == 0, output
        assert scenario.statuses() == ["sent", "sent", "sent"], (scenario.step, output)
        assert sorted(line["out_id"] for line in scenario.lines()) == KEYS, scenario.step
        assert "refused" not in output, (scenario.step, output)  # verified, not saved by the provider
        tasks = scenario.task_statuses()
        assert not [t for t in tasks if t[1] == "RUNNING"], (scenario.step, tasks)
        assert (
            "notifications.tasks.deliver_due_messages",
            "FAILED",
            "notifications.services.workers.WorkerLost",
        ) in tasks, scenario.step
        assert scenario.recovered in scenario.reports(), (scenario.step, scenario.reports())
