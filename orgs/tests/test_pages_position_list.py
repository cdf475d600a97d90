"""The posts page, the posts import page and /api/v1/positions/, four ways each."""

import datetime as dt

import pytest
from django.urls import reverse

from orgs.models import Position
from orgs.tests.api_client import api, ids
from orgs.tests.roster_files import xlsx
from orgs.tests.test_positions_import import HEADERS, post


@pytest.fixture
def posts(cast):
    a = Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    b = Position.objects.create(
        member=cast.member_b1, org=cast.branch_b1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    return a, b


def test_the_posts_page_four_ways(cast, posts):
    url = reverse("orgs:position_list")
    html = cast.client(cast.viewer).get(url).content.decode()
    assert "李建国" in html and "赵红梅" not in html  # read-only sees its scope only
    assert "赵红梅" in cast.client(cast.outsider).get(url).content.decode()
    assert "李建国" not in cast.client(cast.outsider).get(url).content.decode()
    assert cast.client(cast.member_user).get(url).status_code == 404  # no tree role
    assert cast.client(None).get(url).status_code == 302


def test_the_posts_page_filters_by_title_and_current(cast, posts):
    html = (
        cast.client(cast.dept_admin)
        .get(reverse("orgs:position_list"), {"title": "organization"})
        .content.decode()
    )
    assert "没有符合条件的职务" in html


def test_the_import_page_four_ways(cast, posts):
    url = reverse("orgs:position_import")
    assert cast.client(cast.committee_admin).get(url).status_code == 200
    assert cast.client(cast.viewer).get(url).status_code == 403
    assert cast.client(cast.member_user).get(url).status_code == 404
    assert cast.client(None).get(url).status_code == 302
    template = cast.client(cast.committee_admin).get(reverse("orgs:position_import_template"))
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")


def test_uploading_a_posts_file_imports_it(cast):
    upload = xlsx([post(cast.member_a1, "B0001", "副书记")], HEADERS)
    upload.name = "posts.xlsx"
    response = cast.client(cast.committee_admin).post(reverse("orgs:position_import"), {"file": upload})
    assert "导入成功" in response.content.decode()
    assert Position.objects.get().title == "deputy_secretary"


def test_an_upload_with_errors_shows_them_and_imports_nothing(cast):
    upload = xlsx([post(cast.member_a1, "B0001", "队长")], HEADERS)
    upload.name = "posts.xlsx"
    html = (
        cast.client(cast.committee_admin)
        .post(reverse("orgs:position_import"), {"file": upload})
        .content.decode()
    )
    assert "未导入任何数据" in html and "队长" in html
    assert not Position.objects.exists()


def test_the_api_lists_posts_in_scope_four_ways(cast, posts):
    a, b = posts
    assert ids(api(cast.viewer).get("/api/v1/positions/")) == {a.pk}
    assert ids(api(cast.outsider).get("/api/v1/positions/")) == {b.pk}
    assert api(cast.outsider).get(f"/api/v1/positions/{a.pk}/").status_code == 404
    assert api(None).get("/api/v1/positions/").status_code == 401
    body = api(cast.viewer).get(f"/api/v1/positions/{a.pk}/").json()
    assert body["title_display"] == "书记" and body["is_current"] is True


def test_the_api_appoints_and_ends_a_post(cast, posts):
    a, _ = posts
    created = api(cast.committee_admin).post(
        "/api/v1/positions/",
        {
            "member": cast.member_a1.pk,
            "org": cast.branch_a1.pk,
            "title": "organization",
            "started_on": "2025-01-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (
        api(cast.viewer).post(f"/api/v1/positions/{a.pk}/end/", {"ended_on": "2026-01-01"}).status_code == 403
    )
    assert (
        api(cast.outsider).post(f"/api/v1/positions/{a.pk}/end/", {"ended_on": "2026-01-01"}).status_code
        == 404
    )
    assert api(None).post(f"/api/v1/positions/{a.pk}/end/", {"ended_on": "2026-01-01"}).status_code == 401
    bad = api(cast.committee_admin).post(f"/api/v1/positions/{a.pk}/end/", {"ended_on": "2020-01-01"})
    assert bad.status_code == 400 and "离任日期不能早于任职日期" in str(bad.json())
    ended = api(cast.committee_admin).post(f"/api/v1/positions/{a.pk}/end/", {"ended_on": "2026-01-01"})
    assert ended.status_code == 200 and ended.json()["is_current"] is False
