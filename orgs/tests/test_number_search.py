"""A search by a full ID number or phone confirms the number: its own permission, audited, rate-limited.

Without orgs.search_member_number no answer tells the real number from a guess (issue 11, item 1).
"""

import datetime as dt
import json

import pytest
from django.urls import reverse

import personal
from audit.models import AuditEvent
from orgs.filters import sensitive_search_key
from orgs.tests.api_client import api
from personal import idcard

LIST = "/api/v1/members/"


def real_and_guess(cast):
    """The real ID number of 李建国 and a valid number of nobody that differs in the sequence digits."""
    real = personal.decrypt(cast.member_a1.id_number_enc)
    guess = idcard.make(real[:6], dt.date(1980, 5, 17), (int(real[14:17]) + 500) % 1000)
    assert guess != real
    return real, guess


def searches():
    return AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK, target_repr__startswith="按完整")


@pytest.mark.parametrize("user", ["committee_admin", "secretary", "viewer"])
def test_without_the_permission_the_api_answers_a_real_id_number_like_a_guess(cast, user):
    client = api(getattr(cast, user))
    real, guess = real_and_guess(cast)
    answer_real, answer_guess = client.get(LIST, {"q": real}), client.get(LIST, {"q": guess})
    assert answer_real.status_code == answer_guess.status_code == 200
    empty = {"count": 0, "next": None, "previous": None, "results": []}
    assert answer_real.json() == answer_guess.json() == empty


def test_without_the_permission_a_real_phone_is_answered_like_a_guess(cast):
    client = api(cast.secretary)
    assert client.get(LIST, {"q": "13955551234"}).json()["count"] == 0
    assert client.get(LIST, {"q": "13955551235"}).json()["count"] == 0


def test_without_the_permission_the_keyed_hash_confirms_nothing_either(cast):
    real, guess = real_and_guess(cast)
    client = cast.client(cast.secretary)
    pages = [
        client.get(reverse("orgs:member_list"), {"qk": sensitive_search_key(number)}).content.decode()
        for number in (real, guess)
    ]
    assert all("李建国" not in page for page in pages)
    assert not searches().exists()


def test_without_the_permission_a_number_typed_in_the_search_box_is_refused_in_chinese(cast):
    client = cast.client(cast.secretary)
    response = client.post(reverse("orgs:member_list"), {"q": "13955551234"}, follow=True)
    page = response.content.decode()
    assert "您没有按完整身份证号或手机号查找党员的权限" in page
    location = response.redirect_chain[0][0]
    assert "qk=" not in location and "13955551234" not in location and "q=" not in location


def test_without_the_permission_a_name_search_still_works(cast):
    body = api(cast.secretary).get(LIST, {"q": "李建"}).json()
    assert [row["name"] for row in body["results"]] == ["李建国"]


def test_with_the_permission_an_id_number_search_finds_the_member_and_is_audited(cast):
    real, guess = real_and_guess(cast)
    client = api(cast.dept_admin)
    assert [row["name"] for row in client.get(LIST, {"q": real}).json()["results"]] == ["李建国"]
    assert client.get(LIST, {"q": guess}).json()["count"] == 0
    events = list(searches())
    assert len(events) == 2
    assert {e.actor_id for e in events} == {cast.dept_admin.pk}
    assert {e.target_repr for e in events} == {"按完整身份证号查找党员"}
    stored = json.dumps([[e.target_repr, e.summary] for e in events], ensure_ascii=False)
    assert real not in stored and guess not in stored and real[-6:] not in stored


def test_with_the_permission_the_page_search_by_keyed_hash_is_audited(cast):
    client = cast.client(cast.dept_admin)
    response = client.post(reverse("orgs:member_list"), {"q": "13700001111"})
    assert "赵红梅" in client.get(response["Location"]).content.decode()
    (event,) = searches()
    assert event.summary == {"search": "key"} and "13700001111" not in event.target_repr


def test_number_searches_are_rate_limited_and_name_searches_are_not(cast, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "number_search": "3/60"}
    client = api(cast.dept_admin)
    answers = [client.get(LIST, {"q": f"1395555{n:04d}"}).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(LIST, {"q": "13955551234"})
    assert refused.status_code == 429 and refused.json()["detail"] == "操作过于频繁，请稍后再试。"
    assert searches().count() == 3  # the refused ones never reached the search
    assert all(client.get(LIST, {"q": "李建"}).status_code == 200 for _ in range(5))


def test_the_page_search_by_keyed_hash_is_rate_limited(cast, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "number_search": "2/60"}
    client = cast.client(cast.dept_admin)
    url = reverse("orgs:member_list")
    key = sensitive_search_key("13700001111")
    assert [client.get(url, {"qk": key}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, {"q": "赵红"}).status_code == 200
