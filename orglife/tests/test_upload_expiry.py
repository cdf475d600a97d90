"""Chunks of a photo a phone never finished are deleted after the configured age: by the daily job and by
the management command; recent or completed uploads are left alone."""

import datetime as dt
import os

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command

from ops import schedule
from orglife.models import PhotoUpload
from orglife.services import photo_uploads
from orglife.tests.records_fixtures import draft, jpeg_bytes

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
CHUNK = 4096


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def record(cast):
    return draft(cast.secretary, cast.branch_a1, photos=0)


def send(actor, record, upload_id, data, *, only=None):
    parts = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    for i, part in enumerate(parts):
        if only is None or i in only:
            photo_uploads.receive_chunk(
                actor=actor,
                record=record,
                upload_id=upload_id,
                index=i,
                total=len(parts),
                name="会.jpg",
                data=part,
            )


def age_files(record, upload_id, when):
    folder = default_storage.path(f"orglife/chunks/{record.pk}/{upload_id}")
    for name in os.listdir(folder):
        os.utime(os.path.join(folder, name), (when.timestamp(), when.timestamp()))


def chunk_folder_exists(record, upload_id):
    return os.path.isdir(default_storage.path(f"orglife/chunks/{record.pk}/{upload_id}"))


def test_an_abandoned_chunk_set_is_deleted_after_the_age_and_a_recent_one_is_kept(cast, record):
    data = jpeg_bytes(7, size=(900, 700))
    with time_machine.travel(NOW - dt.timedelta(hours=80), tick=False):
        send(cast.secretary, record, "abandoned0001", data, only={0, 1})
    age_files(record, "abandoned0001", NOW - dt.timedelta(hours=80))
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        send(cast.secretary, record, "recent000001", data, only={0})
    with time_machine.travel(NOW, tick=False):
        assert photo_uploads.expire_uploads() == 1
    assert not chunk_folder_exists(record, "abandoned0001")
    assert chunk_folder_exists(record, "recent000001")
    assert list(PhotoUpload.objects.values_list("upload_id", flat=True)) == ["recent000001"]


def test_an_old_upload_still_receiving_chunks_is_kept(cast, record):
    """Age counts from the last chunk: a phone offline for days that resumes is not cut off."""
    data = jpeg_bytes(8, size=(900, 700))
    with time_machine.travel(NOW - dt.timedelta(hours=100), tick=False):
        send(cast.secretary, record, "slowphone001", data, only={0})
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        send(cast.secretary, record, "slowphone001", data, only={1})
    with time_machine.travel(NOW, tick=False):
        assert photo_uploads.expire_uploads() == 0
    assert PhotoUpload.objects.filter(upload_id="slowphone001").exists()


def test_the_age_is_a_setting_and_the_command_takes_hours(cast, record, settings):
    data = jpeg_bytes(9, size=(900, 700))
    send(cast.secretary, record, "setting00001", data, only={0})
    age_files(record, "setting00001", NOW - dt.timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        PhotoUpload.objects.update(created_at=NOW - dt.timedelta(hours=30))
        assert photo_uploads.expire_uploads() == 0  # default 72 hours
        settings.ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS = 24
        assert photo_uploads.chunks_max_age() == dt.timedelta(hours=24)
        settings.ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS = 72
        call_command("orglife_expire_uploads", "--hours", "24", stdout=(out := __import__("io").StringIO()))
    assert "已清理 1 组" in out.getvalue()
    assert not PhotoUpload.objects.exists() and not chunk_folder_exists(record, "setting00001")


def test_chunks_left_by_a_deleted_record_are_swept(cast, record):
    send(cast.secretary, record, "orphan000001", jpeg_bytes(10, size=(900, 700)), only={0})
    age_files(record, "orphan000001", NOW - dt.timedelta(hours=90))
    PhotoUpload.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        assert photo_uploads.expire_uploads() == 1
    assert not chunk_folder_exists(record, "orphan000001")


def test_the_cleanup_is_a_daily_scheduled_job():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    slots = schedule.due_slots(dt.datetime(2026, 10, 5, 3, 25, tzinfo=shanghai))
    assert [(s.job, s.run_key) for s in slots if s.job == "orglife_expire_uploads"] == [
        ("orglife_expire_uploads", "2026-10-05")
    ]
    early = schedule.due_slots(dt.datetime(2026, 10, 5, 3, 10, tzinfo=shanghai))
    assert not [s for s in early if s.job == "orglife_expire_uploads"]
