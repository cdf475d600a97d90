"""The points API four ways, and a member declaring and a scorekeeper verifying through it."""

import datetime as dt

import pytest

from orgs.tests.api_client import api
from points import services
from points.models import Declaration
from points.tests.helpers import award

BASE = "/api/v1/points/"
DAY = "2026-08-12"


@pytest.fixture
def declaration(cast, catalogue):
    return services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=dt.date(2026, 8, 12),
        description="集中学习",
    )


def test_a_member_declares_and_a_scorekeeper_verifies(cast, catalogue, scorekeeper):
    response = api(cast.member_user).post(
        BASE + "declarations/",
        {"item_code": "theory_study", "occurred_on": DAY, "description": "集中学习"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(scorekeeper).post(f"{BASE}declarations/{pk}/verify/").json()["status"] == "recorded"


def test_the_declaration_list_four_ways(cast, declaration):
    assert {d["id"] for d in api(cast.committee_admin).get(BASE + "declarations/").json()["results"]} == {
        declaration.pk
    }
    assert api(cast.viewer).get(BASE + "declarations/").status_code == 200
    assert api(cast.outsider).get(BASE + "declarations/").json()["results"] == []
    assert api(None).get(BASE + "declarations/").status_code == 401


def test_verify_four_ways(cast, declaration, scorekeeper):
    url = f"{BASE}declarations/{declaration.pk}/verify/"
    assert api(cast.viewer).post(url).status_code == 403
    assert api(cast.outsider).post(url).status_code == 404
    assert api(None).post(url).status_code == 401
    assert api(scorekeeper).post(url).status_code == 200
    assert api(scorekeeper).post(url).status_code == 400  # already recorded


def test_reject_and_resubmit(cast, declaration, scorekeeper):
    assert (
        api(scorekeeper)
        .post(f"{BASE}declarations/{declaration.pk}/reject/", {"reason": "补充内容"})
        .status_code
        == 200
    )
    response = api(cast.member_user).post(
        f"{BASE}declarations/{declaration.pk}/resubmit/", {"description": "补充"}
    )
    assert response.json()["status"] == Declaration.Status.DECLARED


def test_a_cap_refusal_is_a_400_with_the_reason(cast, declaration):
    response = api(cast.member_user).post(
        BASE + "declarations/",
        {"item_code": "theory_study", "occurred_on": DAY, "description": "again"},
        format="json",
    )
    assert response.status_code == 400 and "已达上限" in str(response.json())


def test_entries_and_ranking(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
    award(cast.member_b1, "theory_study", dt.date(2026, 3, 2))
    assert len(api(cast.member_user).get(BASE + "entries/?year=2026").json()["results"]) == 1
    ranking = api(cast.committee_admin).get(BASE + "ranking/?year=2026").json()["results"]
    assert ranking[0]["name"] == "李建国" and ranking[0]["total"] == "2.0"
    assert api(cast.member_user).get(BASE + "ranking/").status_code == 404
    assert api(cast.outsider).get(f"{BASE}ranking/?org={cast.branch_a1.pk}").status_code == 404
    below = api(cast.dept_admin).get(BASE + "ranking/below/?year=2026").json()["results"]
    assert len(below) == 5  # every member of the cast is under 60
    assert api(None).get(BASE + "entries/").status_code == 401


def test_rules_for_a_member(cast, catalogue):
    codes = {r["code"] for r in api(cast.member_user).get(BASE + "rules/").json()}
    assert "theory_study" in codes and "orglife_attendance" not in codes


def test_a_member_objects_to_a_notice_through_the_api(cast, catalogue):
    notice = services.publish_notice(actor=cast.secretary, org=cast.branch_a1, year=2026, month=10)
    url = f"{BASE}notices/{notice.pk}/objections/"
    assert api(cast.member_user).post(url, {"text": "漏记"}).status_code == 201
    assert api(cast.outsider).post(url, {"text": "x"}).status_code == 404
    assert api(cast.viewer).post(url, {"text": "x"}).status_code == 403
