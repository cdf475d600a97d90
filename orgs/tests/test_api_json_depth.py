"""A JSON body nested thousands of levels deep is a 400 with a Chinese message on every endpoint, not a 500."""

from django.test import Client

from conftest import PASSWORD
from orgs.api_parsers import too_deep
from orgs.models import Member
from orgs.tests.api_client import api
from orgs.tests.test_api_members import LIST, new_member

DEEP = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"
MESSAGE = "请求内容的JSON嵌套层数过多（最多32层）"


def test_a_deep_body_to_a_post_endpoint_is_a_400(cast):
    client = api(cast.committee_admin)
    response = client.post(LIST, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": MESSAGE}


def test_a_deep_body_to_the_token_endpoint_is_a_400(cast):
    response = Client().post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": MESSAGE}


def test_a_normal_body_still_works(cast):
    before = Member.objects.count()
    response = api(cast.committee_admin).post(LIST, new_member(cast.branch_a1), format="json")
    assert response.status_code == 201
    assert Member.objects.count() == before + 1
    token = Client().post(
        "/api/v1/auth/token/",
        {"username": "secretary", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200


def test_brackets_inside_strings_do_not_count():
    assert not too_deep('{"note": "' + "[" * 100 + '"}', 32)
    assert not too_deep('{"a": "\\"[[[["}', 2)


def test_the_limit_is_on_the_deepest_level():
    assert not too_deep("[" * 32 + "]" * 32, 32)
    assert too_deep("[" * 33 + "]" * 33, 32)
    assert not too_deep("[[1],[2],[3]]" * 50, 2)


def test_invalid_json_is_a_400_in_chinese(cast):
    response = api(cast.committee_admin).post(LIST, '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求内容不是有效的JSON")
