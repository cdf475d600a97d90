"""The reused-photo check runs in a task after the upload's commit: the request says 照片查重中, the worker
marks both records, and the task is safe to run twice or after a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orglife.models import MeetingRecord, PhotoMatch, RecordAttachment
from orglife.services import photo_checks
from orglife.services import records as svc
from orglife.tests.records_fixtures import data, draft, jpeg_bytes, photo, run_photo_checks, upload
from orgs.tests.api_client import api

TASK = "orglife.tasks.check_record_photos_task"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db(transaction=True)
def test_the_upload_enqueues_the_check_and_the_worker_marks_both_records(cast):
    # Committed for real, as in production: the task is enqueued on commit and the worker runs it.
    day = timezone.localdate() - dt.timedelta(days=2)
    first = svc.create_record(
        actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1, day=day), photos=[photo(8)]
    )
    again = svc.create_record(actor=cast.outsider, org=cast.branch_b1, data=data(cast.branch_b1, day=day))
    response = api(cast.outsider).post(
        f"/api/v1/orglife/records/{again.pk}/attachments/",
        {"photos": [upload(jpeg_bytes(8, quality=50)), photo(30), photo(31)]},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["photo_check"] == "pending"
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2  # one per upload, after its commit
    page = reverse("orglife:record_detail", args=[again.pk])
    assert "照片查重中" in cast.client(cast.outsider).get(page).content.decode()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    assert set(DBTaskResult.objects.filter(task_path=TASK).values_list("status", flat=True)) == {"SUCCESSFUL"}
    html = cast.client(cast.outsider).get(page).content.decode()
    assert "照片查重中" not in html and "照片疑似重复" in html and "照片查重完成：疑似重复" in html
    flags = dict(MeetingRecord.objects.values_list("pk", "photo_reused"))
    assert flags[first.pk] and flags[again.pk]
    assert not MeetingRecord.objects.filter(photos_pending=True).exists()
    assert PhotoMatch.objects.get().kind == PhotoMatch.Kind.REUSE


def test_a_record_without_photos_is_not_pending(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=0)
    assert record.photo_check == "clear" and not record.photos_pending


def test_running_the_check_twice_checks_and_marks_nothing_twice(cast):
    draft(cast.secretary, cast.branch_a1, seed=8)
    record = draft(cast.outsider, cast.branch_b1, photos=0)
    svc.add_attachments(actor=cast.outsider, record=record, photos=[photo(8), photo(40)])
    from orglife import tasks

    assert tasks.check_record_photos_task.call(record.pk) == "2 photos checked, 1 pairs"
    assert tasks.check_record_photos_task.call(record.pk) == "0 photos checked, 0 pairs"
    assert PhotoMatch.objects.count() == 1
    assert record.events.filter(action="photos_checked").count() == 1
    assert MeetingRecord.objects.filter(photo_reused=True).count() == 2


def test_a_crash_mid_way_loses_nothing_and_the_next_run_finishes(cast, monkeypatch):
    draft(cast.secretary, cast.branch_a1, seed=8)
    record = draft(cast.outsider, cast.branch_b1, photos=0)
    svc.add_attachments(actor=cast.outsider, record=record, photos=[photo(40), photo(8)])
    real = photo_checks.record_matches
    calls = []

    def crash_on_the_second(attachment, verdicts):
        calls.append(attachment.pk)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(attachment, verdicts)

    monkeypatch.setattr(photo_checks, "record_matches", crash_on_the_second)
    with pytest.raises(RuntimeError):
        run_photo_checks()
    photos = record.attachments.order_by("pk")
    assert [a.checked_at is not None for a in photos] == [
        True,
        False,
    ]  # the first is kept, the second rolled back
    assert MeetingRecord.objects.get(pk=record.pk).photos_pending
    assert not PhotoMatch.objects.exists() and not record.events.filter(action="photos_checked").exists()
    monkeypatch.setattr(photo_checks, "record_matches", real)
    run_photo_checks()
    record.refresh_from_db()
    assert record.photo_check == "reused" and PhotoMatch.objects.count() == 1
    assert record.attachments.filter(checked_at__isnull=True).count() == 0


def test_photos_added_before_the_task_settles_keep_the_record_pending(cast):
    record = draft(cast.secretary, cast.branch_a1, seed=50, check=False)
    svc.add_attachments(actor=cast.secretary, record=record, photos=[photo(51)])
    unchecked = RecordAttachment.objects.filter(record=record, checked_at__isnull=True)
    photo_checks.check_stored(unchecked.order_by("pk").first())  # one photo done, one still waiting
    assert not photo_checks.settle_pending(record.pk)
    assert MeetingRecord.objects.get(pk=record.pk).photo_check == "pending"
    run_photo_checks()
    assert MeetingRecord.objects.get(pk=record.pk).photo_check == "clear"


def test_the_history_import_checks_its_photos_at_once(cast):
    """The operator's bulk path is not a request: its photos are checked as they are stored."""
    from orglife.services.records_bulk import HistoryPhoto, add_history_photos
    from orglife.uploads import clean_photo

    first = draft(cast.secretary, cast.branch_a1, seed=8)
    old = draft(cast.outsider, cast.branch_b1, photos=0)
    add_history_photos(items=[HistoryPhoto(record=old, clean=clean_photo(photo(8)))])
    assert not MeetingRecord.objects.filter(photos_pending=True).exists()
    assert MeetingRecord.objects.filter(pk__in=[first.pk, old.pk], photo_reused=True).count() == 2


def test_the_hourly_sweep_checks_records_whose_task_was_lost(cast):
    import time_machine

    from ops import schedule
    from orglife.services.photos import check_waiting_records

    lost = draft(cast.secretary, cast.branch_a1, seed=60, check=False)  # its task never ran
    assert check_waiting_records() == 0  # just uploaded: its task may still be on its way
    later = timezone.now() + dt.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        fresh = draft(cast.outsider, cast.branch_b1, seed=61, check=False)
        assert check_waiting_records() == 1
    assert MeetingRecord.objects.get(pk=lost.pk).photo_check == "clear"
    assert MeetingRecord.objects.get(pk=fresh.pk).photos_pending  # left to its own task
    shanghai = dt.timezone(dt.timedelta(hours=8))
    due = schedule.due_slots(dt.datetime(2026, 10, 5, 3, 40, tzinfo=shanghai))
    assert [(s.job, s.run_key) for s in due if s.job == "orglife_waiting_photos"] == [
        ("orglife_waiting_photos", "2026-10-05T03")
    ]
    assert not [
        s
        for s in schedule.due_slots(dt.datetime(2026, 10, 5, 3, 50, tzinfo=shanghai))
        if s.job == "orglife_waiting_photos"
    ]
