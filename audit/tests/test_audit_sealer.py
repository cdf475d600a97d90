"""PostgreSQL writers insert audit rows unchained; the sealer chains the committed ones in id order.

Writers never wait for one another on the chain; a lower id that commits after a higher one is sealed in
its place, never skipped; a rolled-back id is passed over; a row left unsealed too long is a verify fault.
"""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from audit import chain
from audit.maintenance import triggers_lifted
from audit.models import AuditEvent
from audit.services import record_event
from audit.tasks import seal_audit_chain_task
from audit.testing import sealed

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite chains each row as it is inserted (one writer at a time)",
)


def event(name: str) -> AuditEvent:
    return record_event(actor=None, actor_name=name, action=AuditEvent.Action.LOGIN_FAILED)


def in_thread(fn) -> threading.Thread:
    def run() -> None:
        try:
            fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgresql
def test_a_row_waits_unsealed_until_the_sealer_chains_it(db):
    first = event("a")
    assert AuditEvent.objects.get(pk=first.pk).chain_hmac == ""
    result = chain.verify()
    assert result.ok and result.unsealed == 1
    assert chain.seal() == 1
    stored = AuditEvent.objects.get(pk=first.pk)
    assert stored.chain_hmac == chain.compute(stored, "")
    assert chain.verify().checked == 1


def test_a_blanked_seal_is_reported_at_that_row(db):
    events = sealed([event(f"u{i}") for i in range(4)])
    with transaction.atomic(), triggers_lifted(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET chain_hmac = '' WHERE id >= %s", [events[2].pk])
    result = chain.verify()
    assert result.broken_id == events[2].pk and "被清除" in result.reason


@postgresql
def test_the_trigger_lets_sealing_through_once_and_nothing_else(db):
    (row,) = sealed([event("a")])
    pending = event("b")
    statements = [
        ("UPDATE audit_auditevent SET chain_hmac = %s WHERE id = %s", ["0" * 64, row.pk]),  # resealing
        (
            "UPDATE audit_auditevent SET actor_name = 'x', chain_hmac = %s WHERE id = %s",
            ["0" * 64, pending.pk],
        ),
        ("UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s", [pending.pk]),
        ("DELETE FROM audit_auditevent WHERE id = %s", [pending.pk]),
    ]
    for sql, params in statements:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, params)
    assert chain.seal() == 1
    assert AuditEvent.objects.get(pk=pending.pk).actor_name == "b"


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_lower_id_committing_after_a_higher_one_is_sealed_in_its_place():
    inserted, release = threading.Event(), threading.Event()
    slow: list[AuditEvent] = []

    def slow_writer() -> None:
        with transaction.atomic():
            slow.append(event("slow"))  # takes the lower id
            inserted.set()
            release.wait(20)

    thread = in_thread(slow_writer)
    inserted.wait(10)
    fast = event("fast")  # a higher id, committed first
    assert fast.pk > slow[0].pk
    # The hole below `fast` is a transaction in progress: nothing past it is sealed.
    chain.seal(timeout=0.2)
    assert AuditEvent.objects.get(pk=fast.pk).chain_hmac == ""
    release.set()
    thread.join(20)
    assert chain.seal() == 2
    assert chain.verify().checked == 2
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.actor_name for r in rows] == ["slow", "fast"]
    assert rows[1].chain_hmac == chain.compute(rows[1], rows[0].chain_hmac)


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_id_is_passed_over():
    event("before")
    with pytest.raises(RuntimeError), transaction.atomic():
        event("rolled back")
        raise RuntimeError
    event("after")
    assert chain.seal() == 2
    result = chain.verify()
    assert result.ok and result.checked == 2 and result.unsealed == 0


@postgresql
@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_each_other_on_the_chain():
    holding, release = threading.Event(), threading.Event()

    def open_writer() -> None:
        with transaction.atomic():
            event("open")
            holding.set()
            release.wait(20)

    thread = in_thread(open_writer)
    holding.wait(10)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '1s'")  # before: waited on the chain lock until `open` ended
        event("second")
    release.set()
    thread.join(20)
    chain.seal()
    assert chain.verify().checked == 2


@postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_running_sealer_make_one_chain():
    done = threading.Event()

    def writer(k: int) -> None:
        for i in range(10):
            with transaction.atomic():
                event(f"w{k}-{i}")

    def sealer() -> None:
        while not done.is_set():
            chain.seal(wait=False, timeout=0.05)

    sealing = in_thread(sealer)
    writers = [in_thread(lambda k=k: writer(k)) for k in range(4)]
    for w in writers:
        w.join(60)
    done.set()
    sealing.join(60)
    chain.seal()
    result = chain.verify()
    assert result.ok and result.checked == 40 and result.unsealed == 0


@postgresql
def test_a_row_left_unsealed_past_the_limit_is_a_fault_that_verify_reports_and_seals(db, settings):
    settings.XIANFENG_AUDIT_SEAL_MINUTES = 10
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=11), tick=False):
        late = event("late")
    event("fresh")
    result = chain.verify()
    assert result.broken_id == late.pk and "超过 10 分钟仍未封存" in result.reason
    with pytest.raises(CommandError, match=f"1 条审计记录超过 10 分钟未封存（第一条 ID={late.pk}）"):
        call_command("audit_verify", stdout=io.StringIO())
    assert chain.verify().ok  # sealed by that run; the fault was said once


@postgresql
def test_the_minute_task_seals(db):
    pending = event("a")
    assert seal_audit_chain_task.call() == 1
    assert AuditEvent.objects.get(pk=pending.pk).chain_hmac


def test_the_sealer_sweep_is_scheduled_every_minute():
    from ops import schedule

    at = dt.datetime(2026, 10, 5, 14, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    (slot,) = [s for s in schedule.due_slots(at) if s.job == "audit_seal"]
    assert (slot.run_key, slot.task_path) == ("2026-10-05T14:07", "audit.tasks.seal_audit_chain_task")
