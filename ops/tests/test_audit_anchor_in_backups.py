"""Every backup carries the audit chain's head and count and moves the signed checkpoint on (audit.checkpoint);
a backup of a chain that lost its tail is still written, but the command fails saying what is missing.
The hourly checkpoint job is on the scheduler's list."""

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import checkpoint
from audit.models import AuditEvent
from audit.services import record_event
from audit.testing import sealed
from ops import schedule
from ops.backup import backup_to_file, open_backup, restore, target_database
from ops.management.commands.restore import prepare_target

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
_triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")


def add(n):
    return sealed(
        [
            record_event(actor=None, actor_name=f"u{i}", action=AuditEvent.Action.LOGIN_FAILED)
            for i in range(n)
        ]
    )


def test_a_backup_carries_the_head_and_count_and_moves_the_checkpoint(tmp_path):
    events = add(4)
    out = StringIO()
    call_command("backup", "-o", str(tmp_path / "a.xfbak"), stdout=out)
    assert f"审计链末端 #{events[-1].pk}（共 4 条）" in out.getvalue()
    saved = checkpoint.read()
    assert (saved.last_id, saved.last_hmac, saved.count) == (events[-1].pk, events[-1].chain_hmac, 4)
    manifest = backup_to_file(tmp_path / "b.xfbak")
    assert manifest["audit_chain"] == {
        "last_id": events[-1].pk,
        "chain_hmac": events[-1].chain_hmac,
        "count": 4,
        "anchor_id": 0,
    }


def test_a_restore_checks_the_count_and_head_of_the_backup(tmp_path):
    add(3)
    path = tmp_path / "site.xfbak"
    manifest = backup_to_file(path)
    target = prepare_target(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    with open_backup(path) as src, target_database(target) as alias:
        report = restore(src, alias, media_root=None, verify=True)
    assert report.ok, report.problems
    assert report.manifest["audit_chain"]["count"] == manifest["audit_chain"]["count"] == 3


def test_a_backup_of_a_cut_chain_is_written_but_the_command_fails(tmp_path):
    events = add(4)
    call_command("backup", "-o", str(tmp_path / "before.xfbak"), stdout=StringIO())
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _triggers.SQLITE_DOWN:
                cursor.execute(sql)
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent")
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [events[2].pk])
    after = tmp_path / "after.xfbak"
    with pytest.raises(CommandError, match=r"备份已写入 .*after.xfbak，但审计链末尾被截断.*（2 条）"):
        call_command("backup", "-o", str(after), stdout=StringIO())
    assert after.exists()
    assert checkpoint.read().last_id == events[-1].pk  # the evidence is kept


def test_the_audit_checkpoint_job_is_due_every_hour():
    slots = [
        s
        for s in schedule.due_slots(dt.datetime(2026, 10, 5, 14, 7, tzinfo=SH))
        if s.job == "audit_checkpoint"
    ]
    assert [(s.run_key, s.task_path) for s in slots] == [
        ("2026-10-05T14", "audit.tasks.checkpoint_audit_chain_task")
    ]
