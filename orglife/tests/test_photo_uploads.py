"""Photos sent in chunks from the phone's outbox: chunks resent, completion repeated, the photo checked by
content and stored without EXIF exactly once; the endpoints four ways (allowed, read-only, outsider,
anonymous)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from orglife.models import PhotoUpload, RecordAttachment
from orglife.services import records
from orglife.tests.records_fixtures import draft, jpeg_bytes
from orglife.tests.test_records_uploads import exif_with_gps
from orgs.tests.api_client import api

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
UPLOAD = "u1a2b3c4d5e6f7a8"
CHUNK = 4096


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def record(cast):
    return draft(cast.secretary, cast.branch_a1, photos=0)


def base(record, upload_id=UPLOAD):
    return f"/api/v1/orglife/records/{record.pk}/photo-uploads/{upload_id}/"


def chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def send(client, record, data, *, upload_id=UPLOAD, only=None):
    parts = chunks(data)
    answers = []
    for i, part in enumerate(parts):
        if only is not None and i not in only:
            continue
        answers.append(
            client.post(
                base(record, upload_id) + f"chunks/{i}/?total={len(parts)}&name=会议.jpg",
                data=part,
                content_type="application/octet-stream",
            )
        )
    return answers


def photos_of(record):
    return RecordAttachment.objects.filter(record=record, kind="photo")


def test_a_photo_sent_in_chunks_is_stored_once_without_exif(cast, record, django_capture_on_commit_callbacks):
    client = api(cast.secretary)
    data = jpeg_bytes(3, exif=exif_with_gps(), size=(900, 700))
    assert len(chunks(data)) > 2
    assert all(r.status_code == 200 for r in send(client, record, data))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(base(record) + "complete/")
    assert done.status_code == 200 and done.json()["done"]
    stored = photos_of(record).get()
    assert done.json()["attachment"] == stored.pk
    with default_storage.open(stored.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
    assert image.format == "JPEG" and not image.getexif()
    assert not default_storage.exists(f"orglife/chunks/{record.pk}/{UPLOAD}/0000")  # chunks removed


def test_chunks_and_completion_resent_store_nothing_twice(cast, record):
    client = api(cast.secretary)
    data = jpeg_bytes(4, size=(900, 700))
    send(client, record, data)
    send(client, record, data, only={0, 1})  # a retry after a dropped answer
    first = client.post(base(record) + "complete/").json()
    again = client.post(base(record) + "complete/")
    late_chunk = send(client, record, data, only={0})[0]
    assert again.status_code == 200 and again.json() == first
    assert late_chunk.status_code == 200 and late_chunk.json()["done"]
    assert photos_of(record).count() == 1
    assert PhotoUpload.objects.filter(record=record).count() == 1


def test_an_interrupted_upload_resumes_from_the_chunks_received(cast, record):
    client = api(cast.secretary)
    data = jpeg_bytes(5, size=(900, 700))
    total = len(chunks(data))
    send(client, record, data, only={0, 2})
    state = client.get(base(record)).json()
    assert state == {"received": [0, 2], "total": total, "done": False, "attachment": None}
    early = client.post(base(record) + "complete/")
    assert early.status_code == 400 and "分块未收到" in early.json()["photos"][0]
    send(client, record, data, only=set(range(total)) - {0, 2})
    assert client.post(base(record) + "complete/").json()["done"]
    assert photos_of(record).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_by_content_and_nothing_is_stored(cast, record):
    client = api(cast.secretary)
    send(client, record, b"%PDF-1.4 not a photo" * 400)
    answer = client.post(base(record) + "complete/")
    assert answer.status_code == 400 and "不是照片" in answer.json()["photos"][0]
    assert photos_of(record).count() == 0
    assert not PhotoUpload.objects.get(record=record).completed_at


def test_bad_chunks_are_refused_with_a_chinese_reason(cast, record):
    client = api(cast.secretary)
    url = base(record) + "chunks/5/?total=2"
    assert "序号" in client.post(url, data=b"x", content_type="application/octet-stream").json()["photos"][0]
    bad_id = base(record, "x;y") + "chunks/0/?total=1"
    assert client.post(bad_id, data=b"x", content_type="application/octet-stream").status_code == 400
    too_many = base(record) + "chunks/0/?total=500"
    assert client.post(too_many, data=b"x", content_type="application/octet-stream").status_code == 400


def test_a_submitted_record_takes_no_more_chunks(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=1)
    records.submit_record(actor=cast.secretary, record=record)
    answer = send(api(cast.secretary), record, jpeg_bytes(6))[0]
    assert answer.status_code == 409


@pytest.mark.parametrize("who,status", [("viewer", 403), ("outsider", 404), (None, 401)])
def test_only_the_branch_may_send_chunks(cast, record, who, status):
    client = api(getattr(cast, who) if who else None)
    assert send(client, record, jpeg_bytes(7))[0].status_code == status
    assert client.post(base(record) + "complete/").status_code == status
    assert PhotoUpload.objects.count() == 0


@pytest.mark.parametrize("who,status", [("viewer", 200), ("outsider", 404), (None, 401)])
def test_the_upload_state_is_read_within_scope(cast, record, who, status):
    client = api(getattr(cast, who) if who else None)
    assert client.get(base(record)).status_code == status


def test_the_phone_sends_chunks_with_its_session_and_the_pages_csrf_token(cast, record):
    """The outbox calls with the browser's session, so the CSRF check reads the request first."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    page = client.get(f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}")
    token = str(page.context["csrf_token"])
    url = base(record) + "chunks/0/?total=1&name=会议.jpg"
    answer = client.post(
        url, data=jpeg_bytes(8), content_type="application/octet-stream", HTTP_X_CSRFTOKEN=token
    )
    assert answer.status_code == 200 and answer.json()["received"] == [0]
    refused = client.post(url, data=jpeg_bytes(8), content_type="application/octet-stream")
    assert refused.status_code == 403  # no token: refused
