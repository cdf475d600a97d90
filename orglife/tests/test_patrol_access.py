"""Every patrol and rectification page and endpoint, four ways (plus the patrol inspector).

committee_admin and the patrol inspector (巡查员 on committee_a) may patrol; the viewer reads and gets 403
on writes; the outsider (secretary of branch_b1) gets 404; anonymous users go to the login page (401 on API).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from orglife.models import PatrolCheck, Rectification
from orglife.services.patrol import draw_sample, open_rectification, submit_rectification
from orglife.tests.stats_fixtures import make_record, patrol_user
from orgs.tests.api_client import api

MAR = dt.date(2026, 3, 1)


@pytest.fixture
def world(cast):
    with time_machine.travel(dt.datetime(2026, 4, 8, 10, 0, tzinfo=dt.UTC), tick=False):
        cast.inspector = patrol_user(cast)
        cast.record = make_record(cast.branch_a1, "committee", MAR, present=3)
        (cast.check,) = draw_sample(actor=cast.inspector, root=cast.committee_a, month=MAR)
        cast.rect = open_rectification(
            actor=cast.inspector,
            org=cast.branch_a1,
            check=cast.check,
            title="记录整改",
            items=["补充内容"],
            deadline=dt.date(2026, 4, 30),
        )
    return cast


def login_redirect(response):
    return response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- pages

READ_PAGES = [
    lambda w: reverse("orglife:patrol_check_detail", args=[w.check.pk]),
    lambda w: reverse("orglife:patrol_rect_detail", args=[w.rect.pk]),
]


@pytest.mark.parametrize("url", READ_PAGES)
def test_patrol_pages_four_ways(world, url):
    for user in (world.inspector, world.committee_admin, world.dept_admin, world.viewer):
        assert world.client(user).get(url(world)).status_code == 200, user
    assert world.client(world.outsider).get(url(world)).status_code == 404
    assert login_redirect(world.client(None).get(url(world)))


def test_the_lists_show_only_the_users_subtree(world):
    lists = [reverse("orglife:patrol_check_list") + "?month=2026-03", reverse("orglife:patrol_rect_list")]
    for url in lists:
        for user in (world.inspector, world.committee_admin, world.viewer):
            assert len(world.client(user).get(url).context["page"].object_list) == 1
        assert len(world.client(world.outsider).get(url).context["page"].object_list) == 0
        assert world.client(world.member_user).get(url).status_code == 404
        assert login_redirect(world.client(None).get(url))


def test_only_patrollers_see_the_draw_form(world):
    url = reverse("orglife:patrol_check_list")
    assert world.client(world.inspector).get(url).context["form"] is not None
    assert world.client(world.viewer).get(url).context["form"] is None


CHECK_WRITES = [
    ("orglife:patrol_check_detail", {"rating": "good"}),
    ("orglife:patrol_check_rehold", {"reason": "照片不符"}),
    ("orglife:patrol_check_rectify", {"title": "整改", "items": "补充", "deadline": "2026-12-31"}),
]


@pytest.mark.parametrize(("name", "data"), CHECK_WRITES)
def test_check_writes_four_ways(world, name, data):
    url = reverse(name, args=[world.check.pk])
    assert world.client(world.viewer).post(url, data).status_code == 403
    assert world.client(world.secretary).post(url, data).status_code == 403  # the branch cannot rate itself
    assert world.client(world.outsider).post(url, data).status_code == 404
    assert login_redirect(world.client(None).post(url, data))
    world.check.refresh_from_db()
    assert world.check.rating == "" and not world.check.rehold_ordered
    assert Rectification.objects.count() == 1
    assert world.client(world.inspector).post(url, data).status_code == 302


def test_drawing_on_the_page_four_ways(world):
    url = reverse("orglife:patrol_check_draw")
    data = {"root": world.committee_a.pk, "month": "2026-03"}
    assert world.client(world.viewer).post(url, data).status_code == 403
    outsider = world.client(world.outsider).post(url, data)  # committee_a is not among its choices
    assert outsider.status_code == 302 and PatrolCheck.objects.count() == 1
    assert login_redirect(world.client(None).post(url, data))
    make_record(world.branch_a2, "theme_day", MAR, refresh=False)
    assert world.client(world.inspector).post(url, data).status_code == 302
    assert PatrolCheck.objects.count() == 2


def test_rectification_writes_four_ways(world):
    rect = world.rect
    detail = reverse("orglife:patrol_rect_detail", args=[rect.pk])
    item = rect.items.get()
    form = {f"item_{item.pk}": "已补充"}
    assert world.client(world.viewer).post(detail, form).status_code == 403
    assert (
        world.client(world.inspector).post(detail, form).status_code == 403
    )  # patrol reads, the branch acts
    assert world.client(world.outsider).post(detail, form).status_code == 404
    assert login_redirect(world.client(None).post(detail, form))
    assert world.client(world.secretary).post(detail, form).status_code == 302
    for name in ("orglife:patrol_rect_close", "orglife:patrol_rect_return"):
        url = reverse(name, args=[rect.pk])
        assert world.client(world.viewer).post(url, {"reason": "x"}).status_code == 403
        assert world.client(world.secretary).post(url, {"reason": "x"}).status_code == 403
        assert world.client(world.outsider).post(url, {"reason": "x"}).status_code == 404
        assert login_redirect(world.client(None).post(url, {"reason": "x"}))
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.SUBMITTED


# ---------------------------------------------------------------- API

CHECKS = "/api/v1/orglife/patrol/checks/"
RECTS = "/api/v1/orglife/rectifications/"


def test_api_reads_four_ways(world):
    for url in (CHECKS, f"{CHECKS}{world.check.pk}/", RECTS, f"{RECTS}{world.rect.pk}/"):
        for user in (world.inspector, world.committee_admin, world.viewer):
            assert api(user).get(url).status_code == 200, (user, url)
        assert api(None).get(url).status_code == 401
    assert api(world.outsider).get(f"{CHECKS}{world.check.pk}/").status_code == 404
    assert api(world.outsider).get(f"{RECTS}{world.rect.pk}/").status_code == 404
    assert api(world.outsider).get(CHECKS).json()["count"] == 0
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        body = api(world.viewer).get(f"{RECTS}{world.rect.pk}/").json()
        assert api(world.viewer).get(f"{RECTS}?status=overdue").json()["count"] == 1
    assert body["overdue"] is True and body["items"][0]["text"] == "补充内容"
    assert api(world.viewer).get(f"{CHECKS}?month=2026-03").json()["count"] == 1


def test_api_rating_four_ways(world):
    url = f"{CHECKS}{world.check.pk}/rate/"
    body = {"rating": "poor", "reasons": ["照片不符"], "comment": "照片与会议无关"}
    assert api(world.viewer).post(url, body, format="json").status_code == 403
    assert api(world.outsider).post(url, body, format="json").status_code == 404
    assert api(None).post(url, body, format="json").status_code == 401
    response = api(world.inspector).post(url, body, format="json")
    assert response.status_code == 200 and response.json()["rating"] == "poor"
    bad = api(world.inspector).post(url, {"rating": "poor", "reasons": ["乱写"]}, format="json")
    assert bad.status_code == 400


def test_api_draw_rehold_and_rectify(world):
    make_record(world.branch_a2, "theme_day", MAR, refresh=False)
    draw = {"org": world.committee_a.pk, "month": "2026-03", "seed": 3}
    assert api(world.viewer).post(f"{CHECKS}draw/", draw, format="json").status_code == 403
    assert api(world.outsider).post(f"{CHECKS}draw/", draw, format="json").status_code == 404
    created = api(world.inspector).post(f"{CHECKS}draw/", draw, format="json")
    assert created.status_code == 201 and len(created.json()) == 1
    rehold = f"{CHECKS}{world.check.pk}/rehold/"
    assert api(world.viewer).post(rehold, {"reason": "不符"}, format="json").status_code == 403
    response = api(world.committee_admin).post(rehold, {"reason": "照片不符"}, format="json")
    assert response.status_code == 200 and response.json()["rehold_ordered"] is True
    rectify = f"{CHECKS}{world.check.pk}/rectify/"
    payload = {"title": "重新召开", "items": ["按要求重新召开支委会"], "deadline": "2026-12-31"}
    assert api(world.viewer).post(rectify, payload, format="json").status_code == 403
    opened = api(world.inspector).post(rectify, payload, format="json")
    assert opened.status_code == 201 and opened.json()["status"] == "open"


def test_api_rectification_lifecycle_four_ways(world):
    rect = world.rect
    item = rect.items.get()
    submit = {"evidence": [{"item": item.pk, "evidence": "已补充会议内容"}], "note": "完成"}
    url = f"{RECTS}{rect.pk}/"
    assert api(world.viewer).post(url + "submit/", submit, format="json").status_code == 403
    assert api(world.inspector).post(url + "submit/", submit, format="json").status_code == 403
    assert api(world.outsider).post(url + "submit/", submit, format="json").status_code == 404
    assert api(None).post(url + "submit/", submit, format="json").status_code == 401
    assert api(world.secretary).post(url + "submit/", {"evidence": []}, format="json").status_code == 400
    assert api(world.secretary).post(url + "submit/", submit, format="json").json()["status"] == "submitted"
    back = api(world.committee_admin).post(url + "return/", {"reason": "不清楚"}, format="json")
    assert back.json()["status"] == "open"
    submit_rectification(actor=world.secretary, rectification=rect, evidence={item.pk: "再次补充"})
    assert api(world.viewer).post(url + "close/").status_code == 403
    assert api(world.outsider).post(url + "close/").status_code == 404
    assert api(world.secretary).post(url + "close/").status_code == 403
    closed = api(world.inspector).post(url + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api(world.viewer).get(f"{RECTS}?status=closed").json()["count"] == 1
