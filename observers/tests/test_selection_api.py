"""The selection, roster and plan API, four ways: manager, read-only viewer (403 on writes), outsider (404),
anonymous (401); personal data masked."""

import datetime as dt

import pytest

from conftest import make_member
from observers.models import AssignmentPlan, Candidate, ReviewUnit
from observers.services.planner import propose_plan
from observers.tests.selection_fixtures import candidate, observer
from orgs.tests.api_client import api, ids

BASE = "/api/v1/observers"


@pytest.fixture
def world(cast):
    cast.obs_a1 = observer(cast, make_member(cast.branch_a1, "孙立"))
    cast.obs_a2 = observer(cast, make_member(cast.branch_a2, "钱敏"))
    cast.cand = candidate(cast, make_member(cast.branch_a2, "吴刚"))
    cast.plan = propose_plan(actor=cast.dept_admin, scope=cast.committee_a, half_start=dt.date(2026, 1, 1))
    return cast


@pytest.mark.parametrize("kind", ["candidates", "roster", "plans"])
def test_lists_and_details_four_ways(world, kind):
    obj = {"candidates": world.cand, "roster": world.obs_a1, "plans": world.plan}[kind]
    for user in (world.committee_admin, world.viewer, world.dept_admin):
        assert obj.pk in ids(api(user).get(f"{BASE}/{kind}/"))
        assert api(user).get(f"{BASE}/{kind}/{obj.pk}/").status_code == 200
    assert ids(api(world.outsider).get(f"{BASE}/{kind}/")) == set()
    assert api(world.outsider).get(f"{BASE}/{kind}/{obj.pk}/").status_code == 404
    assert api(None).get(f"{BASE}/{kind}/").status_code == 401


def test_the_roster_is_masked(world):
    row = api(world.viewer).get(f"{BASE}/roster/{world.obs_a1.pk}/").json()
    assert "*" in row["id_number_masked"] and "*" in row["phone_masked"]
    assert row["letter_number"] == "太观聘〔2026〕001号" and row["trained"] is False


def test_the_plan_detail_shows_coverage_and_loads(world):
    row = api(world.viewer).get(f"{BASE}/plans/{world.plan.pk}/").json()
    assert row["branches"] == 2 and row["uncovered"] == [] and (row["load_min"], row["load_max"]) == (1, 1)
    pairs = {(a["observer"], a["branch"]) for a in row["assignments"]}
    assert pairs == {(world.obs_a1.pk, world.branch_a2.pk), (world.obs_a2.pk, world.branch_a1.pk)}


def test_register_review_and_appoint_through_the_api(world):
    member = make_member(world.branch_a1, "郑和")
    body = {"member": member.pk, "source": "mutual", "party_work_years": "3.5"}
    assert api(world.viewer).post(f"{BASE}/candidates/", body, format="json").status_code == 403
    assert api(world.outsider).post(f"{BASE}/candidates/", body, format="json").status_code == 404
    assert api(None).post(f"{BASE}/candidates/", body, format="json").status_code == 401
    short = api(world.committee_admin).post(
        f"{BASE}/candidates/", {**body, "party_work_years": "2"}, format="json"
    )
    assert short.status_code == 400 and "党务工作年限不足3年" in short.json()["party_work_years"][0]
    created = api(world.committee_admin).post(f"{BASE}/candidates/", body, format="json")
    assert created.status_code == 201 and created.json()["committee"] == world.committee_a.pk
    pk = created.json()["id"]
    for unit in ReviewUnit.objects.all():
        opinion = {"unit": unit.pk, "opinion": "agree"}
        assert (
            api(world.viewer).post(f"{BASE}/candidates/{pk}/opinion/", opinion, format="json").status_code
            == 403
        )
        assert (
            api(world.outsider).post(f"{BASE}/candidates/{pk}/opinion/", opinion, format="json").status_code
            == 404
        )
        assert (
            api(world.committee_admin)
            .post(f"{BASE}/candidates/{pk}/opinion/", opinion, format="json")
            .status_code
            == 200
        )
    assert api(world.viewer).post(f"{BASE}/candidates/{pk}/appoint/", {}, format="json").status_code == 403
    appointed = api(world.committee_admin).post(
        f"{BASE}/candidates/{pk}/appoint/", {"appointed_on": "2026-04-01"}, format="json"
    )
    assert appointed.status_code == 201
    assert appointed.json()["observer"]["letter_number"] == "太观聘〔2026〕003号"
    assert appointed.json()["initial_password"]


def test_an_objection_through_the_api_blocks_the_appointment(world):
    url = f"{BASE}/candidates/{world.cand.pk}"
    unit = ReviewUnit.objects.first()
    response = api(world.committee_admin).post(
        f"{url}/opinion/", {"unit": unit.pk, "opinion": "object", "note": "举报"}, format="json"
    )
    assert response.json()["status"] == Candidate.Status.REJECTED
    refused = api(world.committee_admin).post(f"{url}/appoint/", {}, format="json")
    assert refused.status_code == 400 and "有异议" in str(refused.json())


def test_plans_propose_move_confirm_four_ways(world):
    body = {"committee": world.committee_a.pk, "half_start": "2026-07-01"}
    assert api(world.viewer).post(f"{BASE}/plans/propose/", body, format="json").status_code == 403
    assert api(world.outsider).post(f"{BASE}/plans/propose/", body, format="json").status_code == 404
    assert api(None).post(f"{BASE}/plans/propose/", body, format="json").status_code == 401
    created = api(world.committee_admin).post(f"{BASE}/plans/propose/", body, format="json")
    assert created.status_code == 201 and created.json()["uncovered"] == []
    pk = created.json()["id"]
    own = {"branch": world.branch_a1.pk, "observer": world.obs_a1.pk}
    assert api(world.viewer).post(f"{BASE}/plans/{pk}/move/", own, format="json").status_code == 403
    assert api(world.outsider).post(f"{BASE}/plans/{pk}/move/", own, format="json").status_code == 404
    refused = api(world.committee_admin).post(f"{BASE}/plans/{pk}/move/", own, format="json")
    assert refused.status_code == 400 and "本人所在支部" in str(refused.json())
    assert api(world.viewer).post(f"{BASE}/plans/{pk}/confirm/").status_code == 403
    assert api(world.outsider).post(f"{BASE}/plans/{pk}/confirm/").status_code == 404
    assert api(world.committee_admin).post(f"{BASE}/plans/{pk}/confirm/").json()["status"] == "confirmed"
    assert AssignmentPlan.objects.get(pk=pk).confirmed_by == world.committee_admin
