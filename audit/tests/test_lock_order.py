"""Row locks and the audit chain lock are taken in one order, so concurrent writers never deadlock.

The load test's 503s on PostgreSQL were this cycle: a transaction that inserted a row referencing a
member (the foreign-key check is deferred to COMMIT and needs FOR KEY SHARE on the member) and wrote
its audit row (holding the chain lock until commit), against a points writer that had locked the member
FOR UPDATE and then waited for the chain lock to write its own audit row.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from audit.services import record_event
from orgs.models import Position
from points.services.ledger import lock_members

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite transactions begin IMMEDIATE: one writer at a time"
    ),
]


def test_a_member_lock_never_waits_against_a_deferred_reference_holding_the_chain(cast):
    member = cast.member_a1
    chain_held = threading.Event()
    errors: list[BaseException] = []

    def referencing_writer() -> None:
        try:
            with transaction.atomic():
                # A row referencing the member: its FK check (FOR KEY SHARE on the member) runs at COMMIT.
                Position.objects.create(
                    member=member, org=member.org, title="contact", started_on=dt.date(2026, 1, 1)
                )
                record_event(
                    actor=None, actor_name="引用者", action=AuditEvent.Action.CREATE
                )  # holds the chain
                chain_held.set()
                time.sleep(0.5)  # the points writer now locks the member (before: FOR UPDATE, at once)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def points_writer() -> None:
        try:
            chain_held.wait(10)
            with transaction.atomic():
                lock_members([member.pk])
                record_event(actor=None, actor_name="积分写入", action=AuditEvent.Action.UPDATE)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=referencing_writer), threading.Thread(target=points_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert AuditEvent.objects.filter(actor_name__in=["引用者", "积分写入"]).count() == 2
    assert Position.objects.filter(member=member, title="contact").exists()
