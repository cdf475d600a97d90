import json
import re

from django.urls import reverse

import personal
from conftest import make_member, make_org


def dashboard(cast, user):
    response = cast.client(user).get(reverse("home:dashboard"))
    assert response.status_code == 200
    return response


def chart_data(response):
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    return json.loads(match.group(1))


def test_the_dashboard_counts_the_whole_county_for_the_department(cast):
    stats = dashboard(cast, cast.dept_admin).context["stats"]
    assert stats.org_total == 7 and stats.branches == 3
    assert (stats.members, stats.full, stats.probationary) == (5, 5, 0)
    assert stats.warning_orgs == 2  # branch_a2 and branch_b1 have fewer than 3 full members


def test_the_dashboard_counts_only_the_users_subtree(cast):
    make_member(cast.branch_a2, "孙预备", category="probationary")
    stats = dashboard(cast, cast.committee_admin).context["stats"]
    assert stats.org_total == 4 and stats.branches == 2
    assert (stats.members, stats.full, stats.probationary) == (5, 4, 1)
    assert stats.warning_orgs == 1


def test_the_dashboard_renders_chart_data_and_echarts(cast):
    response = dashboard(cast, cast.dept_admin)
    data = chart_data(response)
    assert {"name": "正式党员", "value": 5} in data["category"]
    assert data["kinds"]["values"][data["kinds"]["labels"].index("党支部")] == 3
    assert data["warnings"]["values"][data["warnings"]["labels"].index("正式党员不足3人")] == 2
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_the_tree(cast, django_assert_max_num_queries):
    client = cast.client(cast.dept_admin)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("home:dashboard"))
    for i in range(10):
        branch = make_org(cast.committee_b, f"新建第{i}支部", "branch", f"N{i:04d}")
        for j in range(3):
            make_member(branch, f"郑{i}{j}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home:dashboard"))


def test_no_page_contains_a_full_id_number_or_phone(cast):
    secrets = [personal.decrypt(m.id_number_enc) for m in (cast.member_a1, cast.member_b1)]
    secrets += ["13955551234", "13700001111", "13812345678"]
    urls = [
        reverse("home:dashboard"),
        reverse("orgs:member_list"),
        reverse("orgs:org_list"),
        reverse("orgs:problems"),
        reverse("orgs:member_detail", args=[cast.member_a1.pk]),
        reverse("orgs:member_detail", args=[cast.member_b1.pk]),
        reverse("orgs:member_edit", args=[cast.member_a1.pk]),
        reverse("orgs:org_detail", args=[cast.branch_a1.pk]),
    ]
    for user in (cast.dept_admin, cast.viewer, cast.member_user):
        client = cast.client(user)
        for url in urls:
            html = client.get(url).content.decode()
            for secret in secrets:
                assert secret not in html, (user, url)
