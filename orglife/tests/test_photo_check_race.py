"""Two check tasks checking two copies of one photo at the same instant still find the pair (PostgreSQL).

Each task's candidate search runs in its own transaction; without a lock around "index my hashes + search
the candidates", both searches run before either task's hashes are committed and neither sees the other.
The test makes that instant happen every time: each task, right after its candidate search, waits (up to a
few seconds) for the other to have searched too. With the lock, the second task cannot search before the
first has committed, so the first one's wait runs out, it commits, and the second one finds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from orglife import tasks
from orglife.models import MeetingRecord, PhotoMatch, RecordAttachment
from orglife.services import photo_checks
from orglife.services import records as svc
from orglife.tests.records_fixtures import data, jpeg_bytes, photo, upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite transactions begin IMMEDIATE: one writer at a time, the searches cannot overlap",
    ),
]

WAIT = 3.0  # how long a task waits, after its search, for the other task's search


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_two_tasks_checking_two_copies_at_once_find_the_pair(cast, monkeypatch):
    day = timezone.localdate() - dt.timedelta(days=3)
    first = svc.create_record(
        actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1, day=day), photos=[photo(8)]
    )
    second = svc.create_record(
        actor=cast.outsider,
        org=cast.branch_b1,
        data=data(cast.branch_b1, day=day + dt.timedelta(days=1)),
        photos=[upload(jpeg_bytes(8, quality=40))],
    )
    assert RecordAttachment.objects.filter(checked_at__isnull=True).count() == 2

    both_searched = threading.Barrier(2, timeout=WAIT)
    searches: list[int] = []
    real = photo_checks.candidate_rows

    def search_then_wait(wanted, *, exclude=None):
        rows = real(wanted, exclude=exclude)
        searches.append(len(rows))
        # The other task may be unable to search yet (it waits for the lock): the wait then runs out.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_searched.wait()
        return rows

    monkeypatch.setattr(photo_checks, "candidate_rows", search_then_wait)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def check(record_id: int) -> None:
        try:
            start.wait()
            tasks.check_record_photos_task.call(record_id)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check, args=(r.pk,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(searches) == 2
    pair = PhotoMatch.objects.get()
    assert pair.kind == PhotoMatch.Kind.REUSE
    assert {pair.record_id, pair.other_record_id} == {first.pk, second.pk}
    assert set(MeetingRecord.objects.values_list("pk", "photo_reused")) == {
        (first.pk, True),
        (second.pk, True),
    }
    assert not MeetingRecord.objects.filter(photos_pending=True).exists()
