"""Concurrent writers for one member cannot together exceed a cap (row lock on the member, PostgreSQL)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from points import services
from points.models import Declaration, LedgerEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers anyway; row locks are tested on PostgreSQL",
    ),
]
THREADS = 8


def run_together(fn):
    """Run fn(i) in THREADS threads, each with its own database connection, started at one barrier."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_concurrent_declarations_in_one_week_yield_one(cast, catalogue):
    day = dt.date(2026, 8, 12)

    def declare(i):
        return services.declare(
            actor=cast.member_user,
            member=cast.member_a1,
            item_code="theory_study",
            occurred_on=day,
            description=f"第{i}次",
        )

    results, errors = run_together(declare)
    assert len(results) == 1 and len(errors) == THREADS - 1
    assert Declaration.objects.filter(member=cast.member_a1).count() == 1


def test_concurrent_automatic_awards_stop_at_the_monthly_cap(cast, catalogue):
    def award(i):
        return services.award_automatic(
            actor=None,
            member=cast.member_a1,
            item_code="orglife_attendance",
            occurred_on=dt.date(2026, 5, 1 + i),
            source_type="orglife.attendance",
            source_id=f"rec{i}",
        )

    results, errors = run_together(award)
    assert len(results) == THREADS and not errors
    points = sorted(e.points for e in LedgerEntry.objects.filter(member=cast.member_a1))
    assert sum(points) == Decimal("4")  # month cap 4, whatever the interleaving
    assert points.count(Decimal("0")) == THREADS - 4


def test_the_same_source_awarded_concurrently_is_written_once(cast, catalogue):
    def award(i):
        return services.award_automatic(
            actor=None,
            member=cast.member_a1,
            item_code="orglife_attendance",
            occurred_on=dt.date(2026, 5, 6),
            source_type="orglife.attendance",
            source_id="same",
        )

    results, _ = run_together(award)
    assert sum(1 for r in results if r is not None) == 1
    assert LedgerEntry.objects.filter(source_id="same").count() == 1
