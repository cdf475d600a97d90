"""A cut tail of the audit chain is reported: the head is kept in a signed checkpoint outside the database.

Someone who drops the append-only triggers and deletes the LAST rows (or all of them) leaves a chain that
still verifies by itself; audit_verify compares its head with the checkpoint and reports what is missing.
A retention purge, which cuts a prefix, still verifies; a forged checkpoint is reported.
"""

import datetime as dt
import io
import json
import logging
import stat
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit import checkpoint
from audit.maintenance import PurgeRefused, purge_expired
from audit.models import AuditEvent
from audit.services import record_event
from audit.tasks import checkpoint_audit_chain_task
from audit.testing import sealed

pytestmark = pytest.mark.django_db

_triggers = __import__("importlib").import_module("audit.migrations.0002_append_only_triggers")


def add(n: int) -> list[AuditEvent]:
    """n events, sealed (PostgreSQL chains rows after commit; SQLite as they are inserted)."""
    return sealed(
        [
            record_event(
                actor=None, actor_name=f"user{i}", action=AuditEvent.Action.LOGIN_FAILED, summary={"n": i}
            )
            for i in range(n)
        ]
    )


def cut(where: str, params: list) -> None:
    """What an attacker with the database role does: drop the triggers, delete, put them back (or not)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _triggers.SQLITE_DOWN:
                cursor.execute(sql)
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent")
        cursor.execute(f"DELETE FROM audit_auditevent WHERE {where}", params)  # noqa: S608


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", "--batch", "3", stdout=out)
    return out.getvalue()


def test_an_untouched_trail_verifies_and_its_head_is_checkpointed_owner_only():
    events = add(5)
    assert "共校验 5 条" in verify()
    saved = checkpoint.read()
    assert (saved.last_id, saved.last_hmac, saved.count) == (events[-1].pk, events[-1].chain_hmac, 5)
    assert stat.S_IMODE(Path(checkpoint.path()).stat().st_mode) == 0o600
    add(2)
    assert "共校验 7 条" in verify()
    assert checkpoint.read().count == 7


def test_a_missing_checkpoint_is_said_and_logged(caplog):
    add(2)
    with caplog.at_level(logging.INFO, logger="xianfeng.audit"):
        assert "此前没有审计链检查点" in verify()
    assert "检查点文件被删除" in caplog.text
    assert "此前没有" not in verify()


def test_the_last_row_cut_is_reported():
    events = add(5)
    verify()
    cut("id = %s", [events[-1].pk])
    with pytest.raises(
        CommandError, match=rf"末尾被截断.*缺少第 {events[-1].pk} 至 {events[-1].pk} 条（1 条）"
    ):
        verify()


def test_the_last_rows_cut_are_reported():
    events = add(8)
    verify()
    cut("id >= %s", [events[5].pk])
    with pytest.raises(CommandError, match=rf"缺少第 {events[5].pk} 至 {events[-1].pk} 条（3 条）"):
        verify()


def test_an_emptied_trail_is_reported():
    add(4)
    verify()
    cut("1 = 1", [])
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError, match="审计链被清空.*一条审计记录也没有，缺少全部 4 条"):
        verify()


def test_a_cut_tail_written_over_by_new_rows_is_reported():
    events = add(5)
    verify()
    cut("id >= %s", [events[3].pk])
    add(3)  # the application chains on from the cut (on SQLite the ids come back, with other HMACs)
    gone = "的链式校验值与检查点不符" if connection.vendor == "sqlite" else "已不在审计表中"
    with pytest.raises(CommandError, match=f"截断后又续写.*第 {events[-1].pk} 条{gone}"):
        verify()


def test_a_detected_cut_is_never_written_over():
    events = add(5)
    verify()
    cut("id = %s", [events[-1].pk])
    for _ in range(2):
        with pytest.raises(CommandError, match="末尾被截断"):
            verify()
    assert checkpoint.read().last_id == events[-1].pk


def test_a_prefix_cut_by_the_retention_purge_still_verifies(settings):
    settings.XIANFENG_AUDIT_RETENTION_DAYS = 200
    with time_machine.travel(timezone.now() - dt.timedelta(days=400), tick=False):
        add(4)
        verify()  # the checkpointed head is a row the purge will remove
    older = Path(checkpoint.path()).read_text()
    purge_expired(operator="张运维")
    assert "共校验 1 条" in verify()  # the purge event, from the anchor
    # A checkpoint written before the purge (the hourly job's) is covered by the anchor too.
    Path(checkpoint.path()).write_text(older)
    add(2)
    assert "共校验 3 条" in verify()


def test_a_purge_keeps_a_young_checkpointed_head(settings):
    settings.XIANFENG_AUDIT_RETENTION_DAYS = 200
    with time_machine.travel(timezone.now() - dt.timedelta(days=400), tick=False):
        add(3)
    add(2)
    verify()
    purge_expired(operator="张运维")
    assert "共校验 3 条" in verify()


def test_the_purge_refuses_a_cut_tail():
    with time_machine.travel(timezone.now() - dt.timedelta(days=4000), tick=False):
        events = add(4)
        verify()
    cut("id = %s", [events[-1].pk])
    with pytest.raises(PurgeRefused, match="末尾被截断"):
        purge_expired(operator="x")


def test_a_forged_checkpoint_is_reported():
    events = add(5)
    verify()
    file = Path(checkpoint.path())
    data = json.loads(file.read_text())
    cut("id >= %s", [events[3].pk])
    # The attacker lowers the head to match the cut, keeping the old signature.
    data.update(last_id=events[2].pk, last_hmac=events[2].chain_hmac, count=3)
    file.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="检查点 .* 的签名不符：文件被伪造或改动"):
        verify()
    file.write_text("not json")
    with pytest.raises(CommandError, match="无法读取"):
        verify()


def test_a_checkpoint_signed_with_another_key_is_reported(settings):
    add(2)
    verify()
    settings.XIANFENG_AUDIT_KEY = "ab" * 32
    with pytest.raises(CommandError):  # the chain itself no longer verifies under another key
        verify()
    assert "签名不符" in checkpoint.advance()


def test_each_checkpointed_head_is_echoed_to_the_log(caplog):
    events = add(3)
    with caplog.at_level(logging.INFO, logger="xianfeng.audit"):
        verify()
    assert (
        f"审计链末端：第 {events[-1].pk} 条，链式校验值 {events[-1].chain_hmac}，锚点之后共 3 条"
        in caplog.text
    )


def test_the_hourly_task_moves_the_checkpoint_and_fails_on_a_cut_tail():
    events = add(3)
    assert checkpoint_audit_chain_task.call() == "ok"
    assert checkpoint.read().last_id == events[-1].pk
    cut("id = %s", [events[-1].pk])
    with pytest.raises(checkpoint.CheckpointError, match="末尾被截断"):
        checkpoint_audit_chain_task.call()
    assert checkpoint.read().last_id == events[-1].pk


def test_a_deliberate_reset_starts_afresh_and_leaves_its_trace_in_the_chain():
    events = add(3)
    verify()
    cut("id = %s", [events[-1].pk])
    out = io.StringIO()
    call_command("audit_verify", "--reset-checkpoint", "--operator", "张运维", stdout=out)
    assert "已重置审计链检查点" in out.getvalue()
    trace = AuditEvent.objects.get(target_repr="审计链检查点（重置）")
    assert trace.actor_name == "张运维" and trace.summary["before"]["last_id"] == events[-1].pk
    assert "共校验 3 条" in verify()
