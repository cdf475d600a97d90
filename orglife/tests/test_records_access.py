"""Every 纪实 page, four ways: allowed, read-only (403 on writes), outsider (404), anonymous (login)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from orglife.models import MeetingRecord
from orglife.services import records as svc
from orglife.tests.records_fixtures import approved, draft

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def records(cast):
    d = draft(cast.secretary, cast.branch_a1, seed=1)
    s = draft(cast.secretary, cast.branch_a1, seed=2)
    svc.submit_record(actor=cast.secretary, record=s)
    a = approved(cast.secretary, cast.branch_a1, seed=3)
    return {"draft": d, "submitted": s, "approved": a}


def url(cast, records, name):
    r = records
    return {
        "list": reverse("orglife:record_list"),
        "detail": reverse("orglife:record_detail", args=[r["approved"].pk]),
        "photo": reverse(
            "orglife:record_attachment", args=[r["approved"].pk, r["approved"].attachments.get().pk]
        ),
        "create": f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}",
        "edit": reverse("orglife:record_edit", args=[r["draft"].pk]),
        "amend": reverse("orglife:record_amend", args=[r["approved"].pk]),
        "submit": reverse("orglife:record_submit", args=[r["draft"].pk]),
        "approve": reverse("orglife:record_approve", args=[r["submitted"].pk]),
        "return": reverse("orglife:record_return", args=[r["submitted"].pk]),
        "attach": reverse("orglife:record_attachment_add", args=[r["draft"].pk]),
        "detach": reverse(
            "orglife:record_attachment_delete", args=[r["draft"].pk, r["draft"].attachments.get().pk]
        ),
    }[name]


READS = ["list", "detail", "photo"]
WRITE_PAGES = ["create", "edit", "amend"]
WRITE_POSTS = ["submit", "approve", "return", "attach", "detach"]


@pytest.mark.parametrize("name", READS + WRITE_PAGES)
def test_the_secretary_opens_every_page(cast, records, name):
    assert cast.client(cast.secretary).get(url(cast, records, name)).status_code == 200


@pytest.mark.parametrize("name", WRITE_POSTS)
def test_the_secretary_runs_every_action(cast, records, name):
    response = cast.client(cast.secretary).post(url(cast, records, name), {"reason": "请补充会议内容"})
    assert response.status_code == 302


@pytest.mark.parametrize("name", READS)
def test_a_read_only_user_reads(cast, records, name):
    assert cast.client(cast.viewer).get(url(cast, records, name)).status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES + WRITE_POSTS)
def test_a_read_only_user_is_refused_every_write(cast, records, name):
    client = cast.client(cast.viewer)
    if name in WRITE_PAGES:
        assert client.get(url(cast, records, name)).status_code == 403
    assert client.post(url(cast, records, name), {"reason": "x"}).status_code == 403
    assert MeetingRecord.objects.get(pk=records["submitted"].pk).status == MeetingRecord.Status.SUBMITTED


@pytest.mark.parametrize("name", ["detail", "photo", *WRITE_PAGES, *WRITE_POSTS])
def test_an_outsider_gets_404(cast, records, name):
    client = cast.client(cast.outsider)
    assert client.get(url(cast, records, name)).status_code in (404, 405)
    assert client.post(url(cast, records, name), {"reason": "x"}).status_code == 404


def test_an_outsiders_list_does_not_show_other_branches(cast, records):
    html = cast.client(cast.outsider).get(reverse("orglife:record_list")).content.decode()
    assert "没有符合条件的纪实" in html


@pytest.mark.parametrize("name", READS + WRITE_PAGES + WRITE_POSTS)
def test_anonymous_users_are_sent_to_login(cast, records, name):
    response = cast.client(None).get(url(cast, records, name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_plain_member_sees_no_records(cast, records):
    client = cast.client(cast.member_user)
    assert client.get(reverse("orglife:record_list")).status_code == 404
    assert client.get(url(cast, records, "detail")).status_code == 404
    assert client.get(url(cast, records, "photo")).status_code == 404


def test_the_photo_is_streamed_privately_and_the_thumbnail_is_small(cast, records):
    response = cast.client(cast.viewer).get(url(cast, records, "photo"))
    assert response["Content-Type"] == "image/jpeg" and "private" in response["Cache-Control"]
    full = b"".join(response.streaming_content)
    thumb = b"".join(cast.client(cast.viewer).get(url(cast, records, "photo") + "?thumb=1").streaming_content)
    assert full.startswith(b"\xff\xd8") and thumb.startswith(b"\xff\xd8")


def test_a_photo_of_another_record_is_not_reachable_through_this_one(cast, records):
    other = records["draft"].attachments.get()
    response = cast.client(cast.secretary).get(
        reverse("orglife:record_attachment", args=[records["approved"].pk, other.pk])
    )
    assert response.status_code == 404


def test_the_secretary_of_another_branch_cannot_approve_here(cast, records):
    # committee_b's branch secretary writes only branch_b1
    response = cast.client(cast.outsider).post(url(cast, records, "approve"))
    assert response.status_code == 404


def test_a_committee_admin_may_review_but_not_create(cast, records):
    client = cast.client(cast.committee_admin)
    assert client.get(url(cast, records, "create")).status_code == 403
    assert client.post(url(cast, records, "approve")).status_code == 302
    assert MeetingRecord.objects.get(pk=records["submitted"].pk).status == MeetingRecord.Status.APPROVED


def test_the_list_filters_by_month_type_status_and_flag(cast, records):
    client = cast.client(cast.secretary)
    html = client.get(reverse("orglife:record_list"), {"status": "approved"}).content.decode()
    assert html.count("list-group-item-action") == 1
    html = client.get(reverse("orglife:record_list"), {"month": "2026-09"}).content.decode()
    assert "没有符合条件的纪实" in html
    html = client.get(
        reverse("orglife:record_list"), {"month": "2026-10", "flag": "unplanned"}
    ).content.decode()
    assert html.count("list-group-item-action") == 3
