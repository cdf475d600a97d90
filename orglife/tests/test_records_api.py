"""/api/v1/orglife/records/: the same services, four ways, multipart photos, 409 on locked records."""

import datetime as dt

import pytest
import time_machine

from orglife.models import MeetingRecord
from orglife.services import records as svc
from orglife.tests.records_fixtures import approved, draft, jpeg_bytes, photo, run_photo_checks, upload
from orgs.tests.api_client import api, ids

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
BASE = "/api/v1/orglife/records/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def payload(cast, **extra):
    body = {
        "org": cast.branch_a1.pk,
        "meeting_type": "theme_day",
        "topic": "主题党日",
        "place": "会议室",
        "started_at": "2026-10-18T09:00:00+08:00",
        "ended_at": "2026-10-18T11:00:00+08:00",
        "host_name": "李建国",
        "recorder_name": "王0华",
        "content": "学习讨论。",
        "attendance": [
            {"member": m.pk, "present": True} for m in svc.roster_for(cast.branch_a1, "theme_day").due
        ],
    }
    body.update(extra)
    return body


def test_the_secretary_records_uploads_submits_and_approves_through_the_api(cast):
    client = api(cast.secretary)
    response = client.post(BASE, payload(cast), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["unplanned"] is True
    assert response.json()["attendance_summary"]["due"] == 4
    response = client.post(f"{BASE}{pk}/attachments/", {"photos": [photo(1), photo(2)]}, format="multipart")
    assert response.status_code == 200 and len(response.json()["attachments"]) == 2
    assert client.post(f"{BASE}{pk}/submit/").json()["status"] == "submitted"
    assert client.post(f"{BASE}{pk}/approve/").json()["status"] == "approved"


def test_an_approved_record_answers_409_to_edits_and_accepts_amendments(cast):
    record = approved(cast.secretary, cast.branch_a1)
    client = api(cast.secretary)
    response = client.patch(f"{BASE}{record.pk}/", {"topic": "改"}, format="json")
    assert response.status_code == 409
    response = client.post(f"{BASE}{record.pk}/amend/", {"place": "活动室"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        f"{BASE}{record.pk}/amend/", {"place": "活动室", "reason": "地点有误"}, format="json"
    )
    assert response.status_code == 200 and response.json()["place"] == "活动室"
    assert record.events.filter(action="amended").count() == 1


def test_a_draft_is_patched_and_a_returned_one_explains_why(cast):
    record = draft(cast.secretary, cast.branch_a1)
    client = api(cast.secretary)
    assert client.patch(f"{BASE}{record.pk}/", {"topic": "新主题"}, format="json").json()["topic"] == "新主题"
    client.post(f"{BASE}{record.pk}/submit/")
    assert client.post(f"{BASE}{record.pk}/return/", {}, format="json").status_code == 400
    assert (
        client.post(f"{BASE}{record.pk}/return/", {"reason": "补充内容"}, format="json").json()["status"]
        == "returned"
    )


def test_a_renamed_non_image_is_refused_with_a_chinese_message(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=0)
    response = api(cast.secretary).post(
        f"{BASE}{record.pk}/attachments/",
        {"photos": [upload(b"MZ" + b"\0" * 300, "a.jpg")]},
        format="multipart",
    )
    assert response.status_code == 400 and "不是照片" in str(response.json())


def test_validation_errors_name_their_fields(cast):
    response = api(cast.secretary).post(BASE, payload(cast, attendance=[]), format="json")
    assert response.status_code == 400 and "attendance" in response.json()


def test_the_photo_downloads_only_inside_the_scope(cast):
    record = approved(cast.secretary, cast.branch_a1)
    att = record.attachments.get()
    path = f"{BASE}{record.pk}/attachments/{att.pk}/"
    response = api(cast.viewer).get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert "private" in response["Cache-Control"]
    assert api(cast.outsider).get(path).status_code == 404
    assert api(None).get(path).status_code == 401


def test_four_ways_on_the_list_and_actions(cast):
    record = draft(cast.secretary, cast.branch_a1)
    svc.submit_record(actor=cast.secretary, record=record)
    assert ids(api(cast.viewer).get(BASE)) == {record.pk}
    assert ids(api(cast.outsider).get(BASE)) == set()
    assert api(None).get(BASE).status_code == 401
    assert api(cast.viewer).get(f"{BASE}{record.pk}/").status_code == 200
    assert api(cast.outsider).get(f"{BASE}{record.pk}/").status_code == 404
    for action in ("approve", "submit", "amend", "return", "attachments"):
        assert api(cast.viewer).post(f"{BASE}{record.pk}/{action}/").status_code == 403
        assert api(cast.outsider).post(f"{BASE}{record.pk}/{action}/").status_code == 404
        assert api(None).post(f"{BASE}{record.pk}/{action}/").status_code == 401
    assert api(cast.viewer).post(BASE, payload(cast), format="json").status_code == 403
    assert api(cast.outsider).post(BASE, payload(cast), format="json").status_code == 404
    assert MeetingRecord.objects.get(pk=record.pk).status == "submitted"


def test_the_list_filters_like_the_page(cast):
    a = approved(cast.secretary, cast.branch_a1)
    d = draft(cast.secretary, cast.branch_a1, seed=4)
    assert ids(api(cast.secretary).get(BASE, {"status": "approved"})) == {a.pk}
    assert ids(api(cast.secretary).get(BASE, {"month": "2026-10", "meeting_type": "theme_day"})) == {
        a.pk,
        d.pk,
    }


def test_a_reused_photo_is_reported(cast):
    draft(cast.secretary, cast.branch_a1, seed=8)
    record = draft(cast.outsider, cast.branch_b1, photos=0)
    response = api(cast.outsider).post(
        f"{BASE}{record.pk}/attachments/", {"photos": [upload(jpeg_bytes(8, quality=50))]}, format="multipart"
    )
    assert response.json()["photo_check"] == "pending" and response.json()["photos_pending"] is True
    run_photo_checks()
    body = api(cast.outsider).get(f"{BASE}{record.pk}/").json()
    assert body["photo_check"] == "reused" and body["photo_reused"] is True
    assert body["attachments"][0]["reused"] is True
