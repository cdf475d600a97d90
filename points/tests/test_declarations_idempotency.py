"""A point declaration sent twice (a retry after a dropped answer, a double tap) is stored once: the
service, the API's Idempotency-Key and the page's hidden key."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.tests.api_client import api
from points import services
from points.models import Declaration

KEY = "d3c1a2b4e5f6a7b8c9d0e1f2a3b4c5d6"
DATA = {"item_code": "theory_study", "occurred_on": "2026-08-12", "description": "集中学习"}


def declare(cast, key=KEY, day=dt.date(2026, 8, 12)):
    return services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=day,
        description="集中学习",
        client_key=key,
    )


def test_the_same_key_twice_stores_one_declaration(cast, catalogue):
    first = declare(cast)
    again = declare(cast)
    assert again.pk == first.pk and again.replayed
    assert Declaration.objects.filter(member=cast.member_a1).count() == 1
    assert first.events.count() == 1


def test_other_keys_or_no_key_are_separate_declarations(cast, catalogue):
    declare(cast)  # a week apart: the weekly cap leaves room for each
    declare(cast, key=KEY[::-1], day=dt.date(2026, 8, 19))
    declare(cast, key="", day=dt.date(2026, 8, 26))
    assert Declaration.objects.filter(member=cast.member_a1).count() == 3


def test_a_malformed_key_is_refused_in_chinese(cast, catalogue):
    with pytest.raises(ValidationError, match="提交标识"):
        declare(cast, key="bad key!")


def test_the_api_answers_the_first_declaration_to_a_resent_key(cast, catalogue):
    client = api(cast.member_user)
    first = client.post("/api/v1/points/declarations/", DATA, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post("/api/v1/points/declarations/", DATA, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Declaration.objects.filter(member=cast.member_a1).count() == 1


def test_the_page_sent_twice_stores_one_declaration_and_says_so(cast, catalogue):
    client = cast.client(cast.member_user)
    page = client.get(reverse("points:declare"))
    key = page.context["form"].initial["client_key"]
    assert f'name="client_key" value="{key}"' in page.content.decode()
    body = {"rule": "theory_study", "occurred_on": "2026-08-12", "description": "集中学习", "client_key": key}
    client.post(reverse("points:declare"), body)
    again = client.post(reverse("points:declare"), body, follow=True)
    assert Declaration.objects.filter(member=cast.member_a1).count() == 1
    assert "这条申报已经提交过，未重复保存" in again.content.decode()
