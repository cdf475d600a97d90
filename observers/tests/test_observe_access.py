"""Observation pages and API, four ways: the observer reaches only assigned branches (another observer's
branch, observation or record: 404); committee pages for readers (viewer reads, 403 on writes); outsiders
404; anonymous users go to the login page (401 on the API)."""

import datetime as dt

import pytest
from django.urls import reverse

from observers.models import BranchRating, EvaluationItem, Observation
from observers.services import observe as svc
from observers.tests.fixtures_obs import MEETING_DAY, NOW, at, build_world, meeting_record, observation
from orgs.tests.api_client import api

AFTER = MEETING_DAY + dt.timedelta(days=1)


@pytest.fixture
def world(cast):
    world = build_world(cast)
    world.record_a1 = meeting_record(world.branch_a1, MEETING_DAY, item=world.item_a1)
    world.record_b1 = meeting_record(world.branch_b1, dt.date(2026, 4, 20), item=world.item_b1)
    world.obs_b = observation(world.observer_b, world.branch_b1, dt.date(2026, 3, 3))
    return world


def login_redirect(response):
    return response.status_code == 302 and "/login/" in response["Location"]


def sign_up_a(world):
    with at(NOW.date()):
        return svc.sign_up(
            actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="designated"
        )


# ---------------------------------------------------------------- the observer's pages

OBSERVER_PAGES = ["observers:observe_branches", "observers:observe_meetings", "observers:observe_list"]


@pytest.mark.parametrize("name", OBSERVER_PAGES)
def test_observer_pages_are_for_observers_only(world, name):
    url = reverse(name)
    with at(NOW.date()):
        assert world.client(world.observer_a.user).get(url).status_code == 200
        for user in (world.viewer, world.secretary, world.committee_admin):
            assert world.client(user).get(url).status_code == 404, user
        assert login_redirect(world.client(None).get(url))


def test_the_meetings_page_lists_only_the_assigned_branches_meetings(world):
    with at(NOW.date()):
        page = world.client(world.observer_a.user).get(reverse("observers:observe_meetings"))
    assert [i.pk for i in page.context["page"]] == [world.item_a1.pk]


def test_signing_up_through_the_page(world):
    url = reverse("observers:observe_signup", args=[world.item_a1.pk])
    with at(NOW.date()):
        response = world.client(world.observer_a.user).post(url, {"kind": "key"})
    obs = Observation.objects.get(observer=world.observer_a)
    assert response.status_code == 302 and (obs.kind, obs.plan_item) == ("key", world.item_a1)


def test_signing_up_for_another_observers_branch_is_a_404(world):
    url = reverse("observers:observe_signup", args=[world.item_b1.pk])
    with at(NOW.date()):
        assert world.client(world.observer_a.user).post(url, {"kind": "key"}).status_code == 404
        assert world.client(world.viewer).post(url, {"kind": "key"}).status_code == 404
        assert login_redirect(world.client(None).post(url, {"kind": "key"}))
    assert not Observation.objects.filter(observer=world.observer_a).exists()


def test_another_observers_observation_is_a_404(world):
    url = reverse("observers:observe_detail", args=[world.obs_b.pk])
    assert world.client(world.observer_b.user).get(url).status_code == 200
    assert world.client(world.observer_a.user).get(url).status_code == 404
    assert world.client(world.observer_a.user).post(url, {}).status_code == 404
    assert login_redirect(world.client(None).get(url))


def test_an_observer_reads_only_records_of_assigned_branches(world):
    own = reverse("observers:observe_record", args=[world.record_a1.pk])
    other = reverse("observers:observe_record", args=[world.record_b1.pk])
    assert world.client(world.observer_a.user).get(own).status_code == 200
    assert world.client(world.observer_a.user).get(other).status_code == 404
    assert world.client(world.observer_b.user).get(other).status_code == 200
    assert world.client(world.viewer).get(own).status_code == 404
    assert login_redirect(world.client(None).get(own))


def test_the_form_page_submits_the_evaluation(world):
    obs = sign_up_a(world)
    url = reverse("observers:observe_detail", args=[obs.pk])
    data = {f"score_{i.pk}": i.max_score for i in EvaluationItem.objects.all()}
    data.update(
        grade="excellent",
        finding="reminder",
        problems="签到不全",
        finding_note="现场提醒",
        record=world.record_a1.pk,
    )
    with at(AFTER):
        form_page = world.client(world.observer_a.user).get(url)
        assert (
            form_page.status_code == 200 and form_page.context["form"].initial["record"] == world.record_a1.pk
        )
        response = world.client(world.observer_a.user).post(url, data)
    assert response.status_code == 302
    obs.refresh_from_db()
    assert (obs.status, obs.total, obs.finding, obs.record) == ("submitted", 100, "reminder", world.record_a1)


def test_the_form_page_shows_an_out_of_range_score(world):
    obs = sign_up_a(world)
    url = reverse("observers:observe_detail", args=[obs.pk])
    data = {f"score_{i.pk}": i.max_score + 1 for i in EvaluationItem.objects.all()}
    data.update(grade="good", finding="none")
    with at(AFTER):
        response = world.client(world.observer_a.user).post(url, data)
    assert response.status_code == 200 and "之间" in response.text
    obs.refresh_from_db()
    assert obs.status == "signed_up"


# ---------------------------------------------------------------- committee and branch pages


def test_the_coverage_page_four_ways(world):
    url = reverse("observers:observe_coverage")
    for user in (world.committee_admin, world.dept_admin, world.viewer):
        assert world.client(user).get(url).status_code == 200, user
    foreign = f"{url}?org={world.committee_b.pk}"
    assert world.client(world.committee_admin).get(foreign).status_code == 404
    assert world.client(world.observer_a.user).get(url).status_code == 404  # no tree scope
    assert login_redirect(world.client(None).get(url))


def test_the_branch_observation_page_four_ways(world):
    obs = observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    url = reverse("observers:observe_branch_detail", args=[obs.pk])
    for user in (world.secretary, world.committee_admin, world.viewer):
        assert world.client(user).get(url).status_code == 200, user
    assert world.client(world.outsider).get(url).status_code == 404
    assert login_redirect(world.client(None).get(url))
    assert world.client(world.viewer).post(url, {"score": 5}).status_code == 403
    assert world.client(world.committee_admin).post(url, {"score": 5}).status_code == 403
    assert world.client(world.outsider).post(url, {"score": 5}).status_code == 404
    assert world.client(world.secretary).post(url, {"score": 4, "comment": "很好"}).status_code == 302
    assert BranchRating.objects.get(observation=obs).score == 4


def test_the_branch_list_shows_only_the_users_subtree(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    url = reverse("observers:observe_branch_list")
    assert len(world.client(world.secretary).get(url).context["page"].object_list) == 1
    assert len(world.client(world.outsider).get(url).context["page"].object_list) == 1  # branch_b1's own
    assert len(world.client(world.dept_admin).get(url).context["page"].object_list) == 2
    assert login_redirect(world.client(None).get(url))


# ---------------------------------------------------------------- API

API = "/api/v1/observers/"


def test_api_my_branches_and_meetings(world):
    with at(NOW.date()):
        branches = api(world.observer_a.user).get(f"{API}observe/branches/")
        meetings = api(world.observer_a.user).get(f"{API}observe/meetings/")
        assert api(world.viewer).get(f"{API}observe/branches/").status_code == 404
        assert api(None).get(f"{API}observe/meetings/").status_code == 401
    assert [b["id"] for b in branches.json()] == [world.branch_a1.pk] and branches.json()[0][
        "observed"
    ] is False
    assert [m["id"] for m in meetings.json()["results"]] == [world.item_a1.pk]


def test_api_sign_up_and_submit(world):
    client = api(world.observer_a.user)
    with at(NOW.date()):
        created = client.post(
            f"{API}observe/observations/", {"plan_item": world.item_a1.pk, "kind": "key"}, format="json"
        )
        foreign = client.post(
            f"{API}observe/observations/", {"plan_item": world.item_b1.pk, "kind": "key"}, format="json"
        )
    assert created.status_code == 201 and foreign.status_code == 404
    pk = created.json()["id"]
    scores = [{"item": i.pk, "score": i.max_score} for i in EvaluationItem.objects.all()]
    body = {
        "scores": scores,
        "grade": "good",
        "finding": "rehold",
        "problems": "走过场",
        "finding_note": "未按主题召开",
        "record": world.record_a1.pk,
    }
    with at(AFTER):
        assert (
            api(world.observer_b.user)
            .post(f"{API}observe/observations/{pk}/submit/", body, format="json")
            .status_code
            == 404
        )
        response = client.post(f"{API}observe/observations/{pk}/submit/", body, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    world.record_a1.refresh_from_db()
    assert world.record_a1.counts is False


def test_api_observations_are_only_the_callers(world):
    assert [
        o["id"] for o in api(world.observer_b.user).get(f"{API}observe/observations/").json()["results"]
    ] == [world.obs_b.pk]
    assert api(world.observer_a.user).get(f"{API}observe/observations/{world.obs_b.pk}/").status_code == 404
    assert api(None).get(f"{API}observe/observations/").status_code == 401
