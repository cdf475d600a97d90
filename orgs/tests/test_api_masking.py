"""No API response shows a full ID number or phone without the permission; unmasking is audited."""

import datetime as dt

import pytest

import personal
from audit.models import AuditEvent
from orgs.models import Member
from orgs.tests.api_client import api
from personal import idcard

NEW_ID = idcard.make("340826", dt.date(1990, 3, 4), 31)
NEW_PHONE = "13600001234"


def full_values():
    values = {NEW_ID, NEW_PHONE}
    for member in Member.objects.all():
        values.add(personal.decrypt(member.id_number_enc))
        values.add(personal.decrypt(member.phone_enc))
    return values - {""}


def unmask(member):
    return f"/api/v1/members/{member.pk}/unmask/"


@pytest.mark.parametrize("user", ["dept_admin", "committee_admin", "secretary", "viewer", "outsider"])
def test_no_response_contains_a_full_id_number_or_phone(cast, user):
    client = api(getattr(cast, user))
    bodies = [
        client.get("/api/v1/members/"),
        client.get("/api/v1/members/", {"q": "13955551234"}),
        client.get(f"/api/v1/members/{cast.member_a1.pk}/"),
        client.get(f"/api/v1/members/{cast.member_b1.pk}/"),
        client.get("/api/v1/organizations/"),
        client.patch(f"/api/v1/members/{cast.member_a1.pk}/", {"phone": "13955551234"}, format="json"),
        client.post(
            "/api/v1/members/",
            {
                "name": "陈明",
                "id_number": NEW_ID,
                "category": "full",
                "joined_on": "2015-06-01",
                "full_member_on": "2016-06-01",
                "org": cast.branch_a1.pk,
                "phone": NEW_PHONE,
            },
            format="json",
        ),
    ]
    secrets = full_values()
    for response in bodies:
        text = response.content.decode()
        assert not any(secret in text for secret in secrets), response.request["PATH_INFO"]


def test_member_output_carries_only_masked_fields(cast):
    body = api(cast.dept_admin).get(f"/api/v1/members/{cast.member_a1.pk}/").json()
    assert body["phone_masked"] == "139******34"
    assert body["id_number_masked"].count("*") == 16
    assert "id_number" not in body and "phone" not in body


def test_unmasking_with_the_permission_shows_full_values_and_is_audited(cast):
    before = AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).count()
    response = api(cast.dept_admin).post(unmask(cast.member_a1), {"reason": "核对档案"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "id_number": personal.decrypt(cast.member_a1.id_number_enc),
        "phone": "13955551234",
    }
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK)
    assert events.count() == before + 1
    event = events.first()
    assert event.target_id == str(cast.member_a1.pk) and event.summary == {"reason": "核对档案"}
    assert event.actor_id == cast.dept_admin.pk


def test_unmasking_four_ways(cast):
    url = unmask(cast.member_a1)
    assert api(cast.dept_admin).post(url, {"reason": "核对档案"}, format="json").status_code == 200
    assert api(cast.committee_admin).post(url, {"reason": "核对档案"}, format="json").status_code == 403
    assert api(cast.viewer).post(url, {"reason": "核对档案"}, format="json").status_code == 403
    assert api(cast.outsider).post(url, {"reason": "核对档案"}, format="json").status_code == 404
    assert api(None).post(url, {"reason": "核对档案"}, format="json").status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).count() == 1


def test_unmasking_without_a_reason_is_refused_and_not_audited(cast):
    response = api(cast.dept_admin).post(unmask(cast.member_a1), {"reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["请说明查看原因"]}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def test_unmasking_is_a_post_only(cast):
    assert api(cast.dept_admin).get(unmask(cast.member_a1)).status_code == 405
