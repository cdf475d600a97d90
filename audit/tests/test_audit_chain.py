"""The tamper-evident trail: an HMAC-SM3 chain, audit_verify, retention and the command-line purge."""

import datetime as dt
import importlib
import io
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit import chain
from audit.maintenance import PurgeRefused, purge_expired, triggers_lifted
from audit.models import AuditAnchor, AuditEvent
from audit.services import record_event
from audit.testing import sealed


def add(n: int, **extra) -> list[AuditEvent]:
    """n events, sealed (PostgreSQL chains rows after commit; SQLite as they are inserted)."""
    return sealed(
        [
            record_event(
                actor=None,
                actor_name=f"user{i}",
                action=AuditEvent.Action.LOGIN_FAILED,
                summary={"reason": "bad", "n": i, "nested": {"b": [1, 2.5, None], "a": "中文"}},
                **extra,
            )
            for i in range(n)
        ]
    )


def tamper(sql: str, params: list) -> None:
    """A raw-SQL edit by someone who first switched the append-only trigger off."""
    with transaction.atomic(), triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit_verify", "--batch", "3", stdout=out)
    return out.getvalue()


def test_each_row_carries_an_hmac_sm3_chained_to_the_previous_row(db):
    first, second = add(2)
    assert len(first.chain_hmac) == 64  # SM3: 256 bits
    assert second.chain_hmac == chain.compute(AuditEvent.objects.get(pk=second.pk), first.chain_hmac)
    assert first.chain_hmac == chain.compute(AuditEvent.objects.get(pk=first.pk), "")


def test_the_hmac_is_keyed(db, settings):
    (event,) = add(1)
    settings.XIANFENG_AUDIT_KEY = "00" * 32
    assert chain.compute(event, "") != event.chain_hmac


def test_an_untouched_trail_verifies(db):
    add(7)
    assert "共校验 7 条" in verify_output()


def test_a_raw_sql_edit_is_reported_at_the_edited_row(db):
    events = add(7)
    tamper("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["mallory", events[4].pk])
    with pytest.raises(CommandError, match=f"ID={events[4].pk}"):
        verify_output()


def test_editing_the_summary_json_is_reported(db):
    events = add(5)
    tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ['{"reason": "ok"}', events[1].pk])
    assert chain.verify().broken_id == events[1].pk


def test_a_deleted_row_is_reported_at_the_row_after_it(db):
    events = add(6)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    assert chain.verify(batch=2).broken_id == events[3].pk


def test_a_recomputed_hmac_without_the_key_does_not_help(db):
    events = add(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.actor_name = "mallory"
    fake = chain.compute(forged, events[0].chain_hmac, key=b"guessed key 1234")
    tamper(
        "UPDATE audit_auditevent SET actor_name = %s, chain_hmac = %s WHERE id = %s",
        ["mallory", fake, events[1].pk],
    )
    assert chain.verify().broken_id == events[1].pk


def test_the_database_still_refuses_plain_updates_and_deletes(db):
    (event,) = add(1)
    for sql in ("UPDATE audit_auditevent SET actor_name = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "user0"


def test_ipv6_addresses_and_odd_summaries_verify(db):
    record_event(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        ip="2001:DB8::0:1",
        summary={"when": dt.date(2026, 1, 2), "t": (1, 2), 3: "int key"},
    )
    assert chain.verify().ok


def test_the_migration_chains_rows_written_before_the_chain(db):
    events = add(3)
    tamper("UPDATE audit_auditevent SET chain_hmac = ''", [])
    assert not chain.verify().ok
    migration = importlib.import_module("audit.migrations.0003_audit_chain")
    from django.apps import apps

    class Editor:  # what RunPython hands over: the connection and execute()
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    with transaction.atomic():
        migration.chain_existing_rows(apps, Editor())
    assert chain.verify().checked == len(events)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent")  # the triggers are back


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_still_form_one_chain_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: see the multi-process test below")
    errors = []

    def writer(k: int) -> None:
        try:
            for i in range(5):
                with transaction.atomic():
                    record_event(actor=None, actor_name=f"w{k}-{i}", action=AuditEvent.Action.LOGIN_FAILED)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 20
    assert chain.verify().ok


WRITER = """
from django.db import transaction
from audit.models import AuditEvent
from audit.services import record_event
for i in range(15):
    with transaction.atomic():
        record_event(actor=None, actor_name="w%s-%s" % ({k}, i), action=AuditEvent.Action.LOGIN_FAILED)
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_still_form_one_chain_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL: see the threaded test above")
    # A file copy of the migrated test database, shared by four separate server processes.
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "xianfeng.sqlite3")
    connection.connection.backup(target)
    target.close()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(XIANFENG_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    manage = [sys.executable, str(settings_module_root() / "manage.py")]
    writers = [
        subprocess.Popen([*manage, "shell", "-c", WRITER.format(k=k)], env=env, stderr=subprocess.PIPE)
        for k in range(4)
    ]
    for w in writers:
        assert w.wait(120) == 0, w.stderr.read().decode()[-2000:] if w.stderr else ""
    result = subprocess.run(
        [*manage, "audit_verify", "--skip-checks"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "共校验 60 条" in result.stdout


def settings_module_root():
    from django.conf import settings

    return settings.BASE_DIR


# ---- retention ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(179, False), (180, True), (3 * 365, True), (0, False)])
def test_a_retention_below_180_days_fails_the_system_check(settings, days, ok):
    settings.XIANFENG_AUDIT_RETENTION_DAYS = days
    errors = [e for e in run_checks() if e.id == "audit.E001"]
    assert (errors == []) is ok
    if not ok:
        assert "180" in errors[0].msg


def test_a_malformed_audit_key_fails_the_system_check(settings):
    settings.XIANFENG_AUDIT_KEY = "not hex"
    assert any(e.id == "audit.E002" for e in run_checks())


def test_the_purge_command_removes_only_rows_older_than_the_retention(db, settings):
    settings.XIANFENG_AUDIT_RETENTION_DAYS = 200
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=400), tick=False):
        old = add(3)
    with time_machine.travel(now - dt.timedelta(days=199), tick=False):
        young = add(2)
    out = io.StringIO()
    call_command("audit_purge", "--operator", "张运维", stdout=out)
    assert "已清理 3 条" in out.getvalue()
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert not remaining & {e.pk for e in old}
    assert {e.pk for e in young} <= remaining
    purge = AuditEvent.objects.get(action=AuditEvent.Action.PURGE)
    assert purge.actor_name == "张运维" and purge.summary["count"] == 3
    anchor = AuditAnchor.objects.get()
    assert anchor.last_purged_id == old[-1].pk and anchor.last_purged_hmac == old[-1].chain_hmac
    assert "共校验 3 条" in verify_output()  # two young rows and the purge event, from the anchor
    add(1)
    assert chain.verify().ok  # new rows chain on


def test_rows_younger_than_180_days_are_never_purged_whatever_the_setting(db, settings):
    settings.XIANFENG_AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - dt.timedelta(days=100), tick=False):
        add(2)
    with pytest.raises(PurgeRefused, match="180"):
        purge_expired(operator="x")
    with pytest.raises(CommandError):
        call_command("audit_purge", stdout=io.StringIO())
    assert AuditEvent.objects.count() == 2


def test_a_dry_run_deletes_nothing(db, settings):
    with time_machine.travel(timezone.now() - dt.timedelta(days=4000), tick=False):
        add(2)
    out = io.StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "将清理 2 条" in out.getvalue() and AuditEvent.objects.count() == 2


def test_purging_everything_keeps_the_chain_verifiable(db):
    with time_machine.travel(timezone.now() - dt.timedelta(days=4000), tick=False):
        add(3)
    purge_expired(operator="x")
    assert AuditEvent.objects.count() == 1  # the purge event itself
    add(2)
    assert chain.verify().checked == 3


def test_the_purge_refuses_a_broken_chain_and_leaves_the_triggers_in_place(db):
    with time_machine.travel(timezone.now() - dt.timedelta(days=4000), tick=False):
        events = add(3)
    tamper("UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s", [events[1].pk])
    with pytest.raises(PurgeRefused, match=str(events[1].pk)):
        purge_expired(operator="x")
    assert AuditEvent.objects.count() == 3
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent")


def test_a_forged_anchor_is_detected(db):
    with time_machine.travel(timezone.now() - dt.timedelta(days=4000), tick=False):
        add(3)
    purge_expired(operator="x")
    AuditAnchor.objects.update(last_purged_hmac="0" * 64)
    assert not chain.verify().ok


def test_the_purge_is_not_reachable_from_the_web(db):
    from django.urls import get_resolver

    names = " ".join(str(p) for p in get_resolver().url_patterns)
    assert "purge" not in names
