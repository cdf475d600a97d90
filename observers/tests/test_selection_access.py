"""Every selection, roster and planner page, four ways.

committee_admin (on committee_a) and dept_admin manage; the viewer (on committee_a) reads and gets 403 on
writes; the outsider (secretary of branch_b1) gets 404 on committee_a's objects; anonymous users go to login.
"""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import make_member
from observers.models import AssignmentPlan, Candidate, Observer, ReviewUnit, Training
from observers.services.planner import propose_plan
from observers.tests.selection_fixtures import candidate, observer


@pytest.fixture
def world(cast):
    cast.obs_a1 = observer(cast, make_member(cast.branch_a1, "孙立"))
    cast.obs_a2 = observer(cast, make_member(cast.branch_a2, "钱敏"))
    cast.cand = candidate(cast, make_member(cast.branch_a2, "吴刚"))
    cast.plan = propose_plan(actor=cast.dept_admin, scope=cast.committee_a, half_start=dt.date(2026, 1, 1))
    return cast


def login_redirect(response):
    return response.status_code == 302 and "/login/" in response["Location"]


DETAIL_PAGES = [
    lambda w: reverse("observers:candidate_detail", args=[w.cand.pk]),
    lambda w: reverse("observers:observer_detail", args=[w.obs_a1.pk]),
    lambda w: reverse("observers:observer_letter_pdf", args=[w.obs_a1.pk]),
    lambda w: reverse("observers:observer_card_pdf", args=[w.obs_a1.pk]),
    lambda w: reverse("observers:plan_detail", args=[w.plan.pk]),
]


@pytest.mark.parametrize("url", DETAIL_PAGES)
def test_detail_pages_four_ways(world, url):
    for user in (world.committee_admin, world.dept_admin, world.viewer):
        assert world.client(user).get(url(world)).status_code == 200, user
    assert world.client(world.outsider).get(url(world)).status_code == 404
    assert login_redirect(world.client(None).get(url(world)))


def test_the_pdfs_are_pdfs(world):
    for name in ("observers:observer_letter_pdf", "observers:observer_card_pdf"):
        response = world.client(world.viewer).get(reverse(name, args=[world.obs_a1.pk]))
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


LISTS = ["observers:candidate_list", "observers:observer_list", "observers:plan_list"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_show_only_the_users_committee(world, name):
    url = reverse(name)
    for user in (world.committee_admin, world.viewer, world.dept_admin):
        assert len(world.client(user).get(url).context["page"].object_list) >= 1
    assert len(world.client(world.outsider).get(url).context["page"].object_list) == 0
    assert world.client(world.member_user).get(url).status_code == 404
    assert login_redirect(world.client(None).get(url))


def test_roster_filters_by_training_this_year(world):
    Training.objects.create(observer=world.obs_a1, held_on=dt.date.today(), title="专题培训")
    client = world.client(world.committee_admin)
    trained = client.get(reverse("observers:observer_list") + "?trained=true").context["page"].object_list
    untrained = client.get(reverse("observers:observer_list") + "?trained=false").context["page"].object_list
    assert [o.pk for o in trained] == [world.obs_a1.pk] and [o.pk for o in untrained] == [world.obs_a2.pk]
    summary = client.get(reverse("observers:observer_list")).context["summary"]
    assert [(s.active, s.untrained) for s in summary] == [(2, 1)]


def test_registering_a_candidate_four_ways(world):
    member = make_member(world.branch_a1, "郑和")
    url = reverse("observers:candidate_create") + f"?member={member.pk}"
    data = {"committee": world.committee_a.pk, "source": "self", "party_work_years": "4"}
    assert world.client(world.viewer).get(url).status_code == 403
    assert world.client(world.viewer).post(url, data).status_code == 403
    assert world.client(world.outsider).post(url, data).status_code == 404
    assert login_redirect(world.client(None).post(url, data))
    assert not Candidate.objects.filter(member=member).exists()
    search = world.client(world.committee_admin).get(reverse("observers:candidate_create") + "?q=郑")
    assert [m.pk for m in search.context["results"]] == [member.pk]
    assert world.client(world.committee_admin).post(url, data).status_code == 302
    assert Candidate.objects.get(member=member).source == "self"


def test_too_few_years_shows_the_chinese_error_on_the_form(world):
    member = make_member(world.branch_a1, "冯军")
    url = reverse("observers:candidate_create") + f"?member={member.pk}"
    data = {"committee": world.committee_a.pk, "source": "self", "party_work_years": "1"}
    response = world.client(world.committee_admin).post(url, data)
    assert response.status_code == 200 and "党务工作年限不足3年" in response.content.decode()


def test_opinion_and_appointment_four_ways(world):
    opinion = reverse("observers:candidate_opinion", args=[world.cand.pk])
    appoint = reverse("observers:candidate_appoint", args=[world.cand.pk])
    units = list(ReviewUnit.objects.all())
    for url, data in (
        (opinion, {"unit": units[0].pk, "opinion": "agree"}),
        (appoint, {"appointed_on": "2026-03-01"}),
    ):
        assert world.client(world.viewer).post(url, data).status_code == 403
        assert world.client(world.outsider).post(url, data).status_code == 404
        assert login_redirect(world.client(None).post(url, data))
    assert not world.cand.opinions.exists()
    admin = world.client(world.committee_admin)
    for unit in units:
        assert (
            admin.post(opinion, {"unit": unit.pk, "opinion": "agree", "reviewer_name": "张"}).status_code
            == 302
        )
    response = admin.post(appoint, {"appointed_on": "2026-03-01"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.context["result"].initial_password in response.content.decode()
    assert Observer.objects.get(candidate=world.cand).letter_number == "太观聘〔2026〕003号"


def test_an_objection_on_the_page_rejects_and_hides_the_appoint_form(world):
    url = reverse("observers:candidate_opinion", args=[world.cand.pk])
    admin = world.client(world.committee_admin)
    admin.post(url, {"unit": ReviewUnit.objects.first().pk, "opinion": "object", "note": "有违纪线索"})
    page = admin.get(reverse("observers:candidate_detail", args=[world.cand.pk]))
    assert "有违纪线索" in page.content.decode() and not page.context["can_appoint"]
    assert admin.post(reverse("observers:candidate_appoint", args=[world.cand.pk])).status_code == 200
    assert not Observer.objects.filter(candidate=world.cand).exists()


ROSTER_WRITES = [
    ("observers:observer_status", {"status": "suspended", "note": "病休"}),
    ("observers:observer_training", {"held_on": "2026-01-10", "title": "专题培训", "hours": "4"}),
    ("observers:observer_updated", {"year": "2026"}),
]


@pytest.mark.parametrize(("name", "data"), ROSTER_WRITES)
def test_roster_writes_four_ways(world, name, data):
    url = reverse(name, args=[world.obs_a1.pk])
    assert world.client(world.viewer).post(url, data).status_code == 403
    assert world.client(world.outsider).post(url, data).status_code == 404
    assert login_redirect(world.client(None).post(url, data))
    assert world.client(world.committee_admin).post(url, data).status_code == 302


def test_the_export_four_ways(world):
    url = reverse("observers:observer_export")
    assert world.client(world.viewer).get(url).status_code == 403
    assert world.client(world.member_user).get(url).status_code == 404
    assert login_redirect(world.client(None).get(url))
    response = world.client(world.committee_admin).get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_planner_writes_four_ways(world):
    move = reverse("observers:plan_move", args=[world.plan.pk])
    confirm = reverse("observers:plan_confirm", args=[world.plan.pk])
    propose = reverse("observers:plan_propose")
    data = {"branch": world.branch_a1.pk, "observer": world.obs_a2.pk}
    for url, body in ((move, data), (confirm, {})):
        assert world.client(world.viewer).post(url, body).status_code == 403
        assert world.client(world.outsider).post(url, body).status_code == 404
        assert login_redirect(world.client(None).post(url, body))
    body = {"committee": world.committee_a.pk, "half_start": "2026-07-01"}
    assert world.client(world.viewer).post(propose, body).status_code == 403
    assert login_redirect(world.client(None).post(propose, body))
    assert world.client(world.outsider).post(propose, body).status_code == 404
    assert AssignmentPlan.objects.count() == 1
    admin = world.client(world.committee_admin)
    assert admin.post(propose, body).status_code == 302
    assert admin.post(confirm).status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.status == AssignmentPlan.Status.CONFIRMED
