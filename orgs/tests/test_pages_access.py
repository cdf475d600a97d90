"""Every organization and member page, four ways: allowed, read-only, outsider, anonymous."""

import datetime as dt

import pytest
from django.urls import reverse

from orgs.models import Position

READ_PAGES = [
    ("orgs:org_list", None),
    ("orgs:org_tree", None),
    ("orgs:problems", None),
    ("orgs:member_list", None),
    ("orgs:org_detail", "committee_a"),
    ("orgs:member_detail", "member_a1"),
]
WRITE_PAGES = [
    ("orgs:org_create", None),
    ("orgs:member_create", None),
    ("orgs:org_edit", "committee_a"),
    ("orgs:member_edit", "member_a1"),
    ("orgs:position_create", "member_a1"),
]
OBJECT_PAGES = [p for p in READ_PAGES + WRITE_PAGES if p[1]]


def url_for(cast, name, obj):
    return reverse(name, args=[getattr(cast, obj).pk]) if obj else reverse(name)


@pytest.fixture
def position(cast):
    return Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2021, 1, 1)
    )


@pytest.mark.parametrize(("name", "obj"), READ_PAGES + WRITE_PAGES)
@pytest.mark.parametrize("who", ["committee_admin", "dept_admin"])
def test_allowed_users_open_every_page(cast, name, obj, who):
    response = cast.client(getattr(cast, who)).get(url_for(cast, name, obj))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "obj"), READ_PAGES)
def test_read_only_user_reads_every_page(cast, name, obj):
    assert cast.client(cast.viewer).get(url_for(cast, name, obj)).status_code == 200


@pytest.mark.parametrize(("name", "obj"), WRITE_PAGES)
def test_read_only_user_is_refused_writes(cast, name, obj):
    client = cast.client(cast.viewer)
    url = url_for(cast, name, obj)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "改名"}).status_code == 403


def test_read_only_user_cannot_end_a_position(cast, position):
    url = reverse("orgs:position_end", args=[position.pk])
    assert cast.client(cast.viewer).post(url, {"ended_on": "2024-01-01"}).status_code == 403
    position.refresh_from_db()
    assert position.ended_on is None


@pytest.mark.parametrize(("name", "obj"), OBJECT_PAGES)
def test_outsider_gets_404_on_objects_of_another_committee(cast, name, obj):
    client = cast.client(cast.outsider)
    url = url_for(cast, name, obj)
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "改名"}).status_code == 404


def test_outsider_gets_404_on_another_committees_tree_and_positions(cast, position):
    client = cast.client(cast.outsider)
    assert client.get(reverse("orgs:org_tree"), {"parent": cast.committee_a.pk}).status_code == 404
    assert client.post(reverse("orgs:position_end", args=[position.pk])).status_code == 404
    assert client.post(reverse("orgs:member_unmask", args=[cast.member_a1.pk])).status_code == 404


@pytest.mark.parametrize(("name", "obj"), [("home:dashboard", None), *READ_PAGES, *WRITE_PAGES])
def test_anonymous_is_sent_to_login(cast, name, obj):
    url = url_for(cast, name, obj)
    response = cast.client(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_post_to_end_a_position_is_sent_to_login(cast, position):
    response = cast.client(None).post(reverse("orgs:position_end", args=[position.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "obj"), READ_PAGES + WRITE_PAGES)
def test_member_role_users_have_no_org_or_member_pages(cast, name, obj):
    assert cast.client(cast.member_user).get(url_for(cast, name, obj)).status_code == 404


def test_member_role_users_still_have_a_dashboard(cast):
    response = cast.client(cast.member_user).get(reverse("home:dashboard"))
    assert response.status_code == 200
    assert "李建国" in response.content.decode()


def test_lists_show_only_the_users_subtree(cast):
    html = cast.client(cast.outsider).get(reverse("orgs:member_list")).content.decode()
    assert "赵红梅" in html and "李建国" not in html
    html = cast.client(cast.outsider).get(reverse("orgs:org_list")).content.decode()
    assert "示范机械厂党支部" in html and "县财政局机关党支部" not in html
