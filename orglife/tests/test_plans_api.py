"""The plans and rule-set API under /api/v1/orglife/, four ways, calling the same services as the pages."""

import datetime as dt

import pytest

from orglife.models import MonthlyPlan
from orglife.services.plans import create_plan, submit_plan
from orglife.tests.plan_fixtures import at, filled
from orgs.tests.api_client import api, ids

DEC = dt.date(2026, 12, 1)
PLANS = "/api/v1/orglife/plans/"


@pytest.fixture(autouse=True)
def _november():
    with at(2026, 11, 10):
        yield


@pytest.fixture
def plan(cast):
    p = create_plan(actor=cast.secretary, org=cast.branch_a1, month=DEC, items=filled(cast.branch_a1, DEC))
    submit_plan(actor=cast.secretary, plan=p)
    return p


def payload(cast, org=None, submit=True):
    org = org or cast.branch_a2
    items = [
        {
            "meeting_type": i.meeting_type,
            "group": i.group.pk if i.group else None,
            "planned_on": i.planned_on.isoformat(),
            "place": i.place,
            "topic": i.topic,
            "host_name": i.host_name,
            "lecturer_name": i.lecturer_name,
        }
        for i in filled(org, DEC)
    ]
    return {"org": org.pk, "month": "2026-12", "items": items, "submit": submit}


def test_the_list_is_scoped_to_the_caller(cast, plan):
    assert ids(api(cast.committee_admin).get(PLANS)) == {plan.pk}
    assert ids(api(cast.viewer).get(PLANS)) == {plan.pk}
    assert ids(api(cast.outsider).get(PLANS)) == set()
    assert ids(api(cast.dept_admin).get(PLANS, {"month": "2026-11"})) == set()
    assert ids(api(cast.dept_admin).get(PLANS, {"month": "2026-12", "status": "submitted"})) == {plan.pk}


def test_the_detail_has_items_events_and_warnings(cast, plan):
    body = api(cast.viewer).get(f"{PLANS}{plan.pk}/").json()
    assert body["month"] == "2026-12" and body["status"] == "submitted" and body["is_late"] is False
    assert len(body["items"]) == 8 and [e["action"] for e in body["events"]] == ["created", "submitted"]
    assert body["warnings"] == [] and body["problems"] == []


def test_an_outsider_gets_404_and_an_anonymous_caller_401(cast, plan):
    for path in (f"{PLANS}{plan.pk}/", f"{PLANS}{plan.pk}/approve/"):
        method = api(cast.outsider).post if path.endswith("approve/") else api(cast.outsider).get
        assert method(path).status_code == 404
    assert api(None).get(PLANS).status_code == 401
    assert api(None).post(f"{PLANS}{plan.pk}/approve/").status_code == 401
    assert api(None).get("/api/v1/orglife/rulesets/").status_code == 401


def test_a_branch_creates_and_submits_through_the_api(cast):
    response = api(cast.committee_admin).post(PLANS, payload(cast), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["org"] == cast.branch_a2.pk
    assert all(item["required"] for item in body["items"])


def test_the_read_only_viewer_is_refused_every_write(cast, plan):
    client = api(cast.viewer)
    assert client.post(PLANS, payload(cast), format="json").status_code == 403
    assert client.patch(f"{PLANS}{plan.pk}/", {"items": []}, format="json").status_code == 403
    for step in ("submit", "approve", "return"):
        assert client.post(f"{PLANS}{plan.pk}/{step}/", {"reason": "x"}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.SUBMITTED


def test_an_outsider_cannot_file_for_another_branch(cast):
    assert api(cast.outsider).post(PLANS, payload(cast), format="json").status_code == 404


def test_filing_too_early_is_a_400_with_the_reason(cast):
    data = payload(cast) | {"month": "2027-01"}
    response = api(cast.committee_admin).post(PLANS, data, format="json")
    assert response.status_code == 400 and "起报送" in str(response.json())


def test_approve_return_and_resubmit_through_the_api(cast, plan):
    committee, secretary = api(cast.committee_admin), api(cast.secretary)
    assert secretary.post(f"{PLANS}{plan.pk}/approve/").status_code == 403
    assert committee.post(f"{PLANS}{plan.pk}/return/", {"reason": ""}).status_code == 400
    body = committee.post(f"{PLANS}{plan.pk}/return/", {"reason": "议题不具体"}).json()
    assert body["status"] == "returned" and body["return_reason"] == "议题不具体"
    items = payload(cast, cast.branch_a1)["items"]
    response = secretary.patch(f"{PLANS}{plan.pk}/", {"items": items, "submit": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert committee.post(f"{PLANS}{plan.pk}/approve/").json()["status"] == "approved"


def test_the_prompt_endpoint_gives_the_prefilled_items(cast):
    body = api(cast.secretary).get(f"{PLANS}prompt/", {"org": cast.branch_a1.pk, "month": "2026-12"}).json()
    assert len(body) == 8 and all(item["is_required"] for item in body)
    assert api(cast.outsider).get(f"{PLANS}prompt/", {"org": cast.branch_a1.pk}).status_code == 404


def test_the_rule_sets_are_readable_by_anyone_with_a_role(cast):
    body = api(cast.viewer).get("/api/v1/orglife/rulesets/").json()
    assert body["count"] == 1 and len(body["results"][0]["rules"]) == 8
    current = api(cast.outsider).get("/api/v1/orglife/rulesets/current/", {"month": "2026-12"}).json()
    assert current["effective_from"] == "2000-01" and current["plan_deadline_day"] == 25
    assert api(cast.member_user).get("/api/v1/orglife/rulesets/").status_code == 404


def test_the_rule_sets_are_read_only(cast):
    assert api(cast.dept_admin).post("/api/v1/orglife/rulesets/", {}).status_code == 405
