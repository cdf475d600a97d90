"""Every points page and action four ways: allowed, read-only (viewer), outsider (404), anonymous."""

import datetime as dt

import pytest
from django.urls import reverse

from points import services
from points.models import Declaration, MonthlyNotice
from points.tests.helpers import award

DAY = dt.date(2026, 8, 12)


@pytest.fixture
def world(cast, catalogue, scorekeeper):
    d = services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=DAY,
        description="集中学习",
    )
    entry = award(cast.member_a1, "orglife_attendance", DAY)
    notice = services.publish_notice(
        actor=cast.secretary, org=cast.branch_a1, year=2026, month=8, today=dt.date(2026, 9, 1)
    )
    objection = notice.objections.create(raised_by=cast.member_user, text="x", raised_at=notice.published_at)
    return {
        "d": d,
        "entry": entry,
        "notice": notice,
        "objection": objection,
        "version": catalogue.versions.get(),
        "member": cast.member_a1,
        "branch": cast.branch_a1,
    }


LIST_PAGES = [
    "home",
    "declaration_list",
    "ledger",
    "ranking",
    "interviews",
    "commendations",
    "weekly",
    "review_list",
    "notice_list",
    "catalogue_list",
]
OBJECT_PAGES = [
    ("declaration_detail", "d"),
    ("member_file", "member"),
    ("member_file_pdf", "member"),
    ("notice_detail", "notice"),
    ("version_detail", "version"),
]


def obj_url(world, name, key):
    return reverse(f"points:{name}", args=[world[key].pk])


def review_url(world):
    return reverse("points:review_detail", args=[world["branch"].pk, 2026, 3])


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("who", ["dept_admin", "committee_admin", "viewer"])
def test_staff_and_readers_open_every_list(cast, world, name, who):
    assert cast.client(getattr(cast, who)).get(reverse(f"points:{name}")).status_code == 200


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES)
@pytest.mark.parametrize("who", ["dept_admin", "committee_admin", "viewer", "member_user"])
def test_allowed_users_and_readers_open_objects(cast, world, name, key, who):
    response = cast.client(getattr(cast, who)).get(obj_url(world, name, key))
    assert response.status_code == 200  # the PDF too: the project ships its CJK font


def test_readers_open_the_quarterly_report(cast, world):
    assert cast.client(cast.viewer).get(review_url(world)).status_code == 200


@pytest.mark.parametrize(("name", "key"), [p for p in OBJECT_PAGES if p[1] != "version"])
def test_outsiders_get_404_on_objects(cast, world, name, key):
    assert cast.client(cast.outsider).get(obj_url(world, name, key)).status_code == 404


def test_outsiders_get_404_on_the_quarterly_report(cast, world):
    assert cast.client(cast.outsider).get(review_url(world)).status_code == 404
    assert cast.client(cast.outsider).post(review_url(world)).status_code == 404


@pytest.mark.parametrize("name", LIST_PAGES + ["declare", "record", "notice_create", "catalogue_create"])
def test_anonymous_is_sent_to_login(cast, world, name):
    response = cast.client(None).get(reverse(f"points:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES)
def test_anonymous_is_sent_to_login_from_objects(cast, world, name, key):
    assert cast.client(None).get(obj_url(world, name, key)).status_code == 302


# ---------------------------------------------------------------- writes

WRITE_POSTS = [
    ("verify", "d", {}),
    ("reject", "d", {"reason": "x"}),
    ("resubmit", "d", {"description": "x"}),
    ("correct", "entry", {"reason": "x"}),
    ("objection_answer", "objection", {"answer": "x"}),
    ("version_publish", "version", {}),
    ("version_new", "version", {"effective_from": "2026-12-01"}),
]


@pytest.mark.parametrize(("name", "key", "data"), WRITE_POSTS)
def test_readers_are_refused_writes(cast, world, name, key, data):
    assert cast.client(cast.viewer).post(obj_url(world, name, key), data).status_code == 403


@pytest.mark.parametrize(("name", "key", "data"), [w for w in WRITE_POSTS if w[1] != "version"])
def test_outsiders_get_404_on_writes(cast, world, name, key, data):
    assert cast.client(cast.outsider).post(obj_url(world, name, key), data).status_code == 404


@pytest.mark.parametrize(("name", "key", "data"), WRITE_POSTS)
def test_anonymous_writes_are_sent_to_login(cast, world, name, key, data):
    assert cast.client(None).post(obj_url(world, name, key), data).status_code == 302


@pytest.mark.parametrize("name", ["record", "notice_create", "catalogue_create", "declare"])
def test_readers_get_403_on_write_pages(cast, world, name):
    assert cast.client(cast.viewer).get(reverse(f"points:{name}")).status_code == 403


def test_readers_get_403_on_object_write_pages(cast, world):
    client = cast.client(cast.viewer)
    assert client.post(review_url(world), {"remarks": "x"}).status_code == 403
    assert client.get(reverse("points:interview_create", args=[cast.member_a1.pk])).status_code == 403
    assert client.get(reverse("points:version_edit", args=[world["version"].pk])).status_code == 403
    assert client.get(reverse("points:rule_create", args=[world["version"].pk])).status_code == 403
    assert (
        cast.client(cast.outsider)
        .get(reverse("points:interview_create", args=[cast.member_a1.pk]))
        .status_code
        == 404
    )


def test_the_scorekeeper_verifies_from_the_page(cast, world, scorekeeper):
    response = cast.client(scorekeeper).post(obj_url(world, "verify", "d"))
    assert response.status_code == 302
    world["d"].refresh_from_db()
    assert world["d"].status == Declaration.Status.RECORDED


def test_a_member_has_no_staff_lists_and_no_other_members_file(cast, world):
    client = cast.client(cast.member_user)
    for name in ["ranking", "interviews", "commendations", "weekly", "review_list"]:
        assert client.get(reverse(f"points:{name}")).status_code == 404
    assert client.get(reverse("points:member_file", args=[cast.member_b1.pk])).status_code == 404


def test_a_member_sees_the_notice_of_their_branch_only(cast, world):
    other = MonthlyNotice.objects.create(
        org=cast.branch_b1,
        year=2026,
        month=8,
        published_by=cast.outsider,
        published_at=world["notice"].published_at,
        objection_until=DAY,
    )
    client = cast.client(cast.member_user)
    assert client.get(reverse("points:notice_detail", args=[world["notice"].pk])).status_code == 200
    assert client.get(reverse("points:notice_detail", args=[other.pk])).status_code == 404


def test_the_department_admin_opens_the_catalogue_editor(cast, world):
    client = cast.client(cast.dept_admin)
    response = client.post(obj_url(world, "version_new", "version"), {"effective_from": "2026-12-01"})
    assert response.status_code == 302
    draft = world["version"].catalogue.versions.get(number=2)
    assert client.get(reverse("points:version_edit", args=[draft.pk])).status_code == 200
    assert client.get(reverse("points:rule_create", args=[draft.pk])).status_code == 200
