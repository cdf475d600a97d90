"""A record sent twice is stored once (the device's key), and a plan item recorded by someone else is a
conflict the sender sees, never a silent merge: the web form, the API and the service."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_user
from observers.tests.fixtures_obs import plan_item
from orglife.models import MeetingRecord
from orglife.services import records as svc
from orglife.tests.records_fixtures import data
from orglife.tests.test_records_api import BASE, payload
from orgs.roles import Role
from orgs.tests.api_client import api

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
KEY = "a3f1c2d4e5b6a7c8d9e0f1a2b3c4d5e6"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_same_key_twice_stores_one_record(cast):
    first = svc.create_record(
        actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1), client_key=KEY
    )
    again = svc.create_record(
        actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1), client_key=KEY
    )
    assert again.pk == first.pk and again.replayed
    assert MeetingRecord.objects.filter(org=cast.branch_a1).count() == 1


def test_without_a_key_or_with_another_key_each_submission_is_a_record(cast):
    svc.create_record(actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1))
    svc.create_record(actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1))
    svc.create_record(actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1), client_key=KEY)
    svc.create_record(
        actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1), client_key=KEY[::-1]
    )
    assert MeetingRecord.objects.filter(org=cast.branch_a1).count() == 4


def test_a_malformed_key_is_refused_with_a_clear_message(cast):
    with pytest.raises(ValidationError, match="提交标识"):
        svc.create_record(
            actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1), client_key="x;"
        )


def test_the_api_answers_the_first_record_to_a_resent_key(cast):
    client = api(cast.secretary)
    first = client.post(BASE, payload(cast), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post(BASE, payload(cast), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert MeetingRecord.objects.filter(org=cast.branch_a1).count() == 1


def form_post(cast, key, **extra):
    due = svc.roster_for(cast.branch_a1, "theme_day").due
    body = {
        "client_key": key,
        "meeting_type": "theme_day",
        "topic": "主题党日",
        "held_on": "2026-10-18",
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "会议室",
        "host_name": "李建国",
        "recorder_name": "王0华",
        "content": "学习讨论。",
        "then": "draft",
        **{f"att-{m.pk}": "present" for m in due},
    }
    body.update(extra)
    url = f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}"
    return cast.client(cast.secretary).post(url, body, follow=True)


def test_the_form_sent_twice_stores_one_record_and_says_so(cast):
    page = cast.client(cast.secretary).get(f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}")
    key = page.context["form"].initial["client_key"]
    assert f'name="client_key" value="{key}"' in page.content.decode()
    form_post(cast, key)
    response = form_post(cast, key)
    assert MeetingRecord.objects.filter(org=cast.branch_a1).count() == 1
    assert "这份纪实已经提交过，未重复保存" in response.content.decode()


def test_a_plan_item_recorded_by_someone_else_is_a_conflict_shown_to_the_sender(cast):
    item = plan_item(cast.branch_a1, dt.date(2026, 10, 18))
    admin = make_user("branch_admin_a1", Role.BRANCH_ADMIN, cast.branch_a1)
    svc.create_record(actor=admin, org=cast.branch_a1, data=data(cast.branch_a1, plan_item=item))
    response = form_post(cast, "b" * 32, plan_item=item.pk)
    page = response.content.decode()
    assert MeetingRecord.objects.filter(org=cast.branch_a1).count() == 1
    assert response.status_code == 200 and "该计划事项已由branch_admin_a1登记纪实" in page


def test_a_plan_item_recorded_already_is_not_offered(cast):
    item = plan_item(cast.branch_a1, dt.date(2026, 10, 18))
    svc.create_record(actor=cast.secretary, org=cast.branch_a1, data=data(cast.branch_a1, plan_item=item))
    page = cast.client(cast.secretary).get(f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}")
    assert f'<option value="{item.pk}"' not in page.content.decode()
