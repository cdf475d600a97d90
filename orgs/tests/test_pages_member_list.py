from django.urls import reverse

import personal
from conftest import make_member


def list_html(cast, user, **params):
    response = cast.client(user).get(reverse("orgs:member_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_masked_id_and_phone_columns(cast):
    html = list_html(cast, cast.committee_admin)
    assert cast.member_a1.id_number_masked in html
    assert "139******34" in html
    assert personal.decrypt(cast.member_a1.id_number_enc) not in html
    assert "13955551234" not in html


def test_searching_by_name_finds_the_member(cast):
    html = list_html(cast, cast.dept_admin, q="李建")
    assert "李建国" in html and "王0华" not in html and "赵红梅" not in html


def test_searching_by_exact_id_number_finds_the_member(cast):
    number = personal.decrypt(cast.member_b1.id_number_enc)
    html = list_html(cast, cast.dept_admin, q=number)
    assert "赵红梅" in html and "李建国" not in html


def test_choosing_an_org_in_the_tree_filters_to_its_subtree(cast):
    html = list_html(cast, cast.dept_admin, org=cast.committee_a.pk)
    assert "李建国" in html and "王2华" in html and "赵红梅" not in html
    html = list_html(cast, cast.dept_admin, org=cast.branch_b1.pk)
    assert "赵红梅" in html and "李建国" not in html


def test_an_org_outside_the_scope_filters_to_nothing(cast):
    html = list_html(cast, cast.outsider, org=cast.committee_a.pk)
    assert "李建国" not in html and "没有符合条件的党员" in html


def test_an_empty_result_shows_the_empty_state(cast):
    assert "没有符合条件的党员" in list_html(cast, cast.dept_admin, q="不存在的人")


def test_the_list_is_paginated_with_total_and_links_that_keep_filters(cast, settings):
    settings.PAGE_SIZE = 2
    html = list_html(cast, cast.dept_admin, category="full")
    assert "共 5 条" in html
    assert "?category=full&amp;page=2" in html
    html = list_html(cast, cast.dept_admin, category="full", page=3)
    assert "第 3/3 页" in html


def test_writers_see_new_and_import_and_exporters_see_export(cast):
    html = list_html(cast, cast.committee_admin, q="李")
    assert reverse("orgs:member_create") in html and reverse("orgs:member_import") in html
    assert reverse("orgs:member_export") + "?q=" in html


def test_readers_see_neither_new_nor_import_nor_export(cast):
    html = list_html(cast, cast.viewer)
    assert reverse("orgs:member_create") not in html
    assert reverse("orgs:member_import") not in html
    assert reverse("orgs:member_export") not in html


def test_a_writer_without_the_export_permission_sees_no_export(cast):
    html = list_html(cast, cast.secretary)
    assert reverse("orgs:member_create") in html and reverse("orgs:member_export") not in html


def test_the_tree_sits_beside_the_list_and_opens_to_the_chosen_org(cast):
    html = list_html(cast, cast.dept_admin, org=cast.branch_a1.pk)
    assert 'id="org-tree"' in html
    assert f"?selected={cast.branch_a1.pk}" in html  # the tree loads after the page, opened at the org
    html = (
        cast.client(cast.dept_admin)
        .get(reverse("orgs:org_tree"), {"selected": cast.branch_a1.pk})
        .content.decode()
    )
    assert f"?parent={cast.committee_b.pk}" in html  # a closed node loads its children on demand
    assert f'?org={cast.branch_a1.pk}" class="active"' in html  # opened down to the chosen branch


def test_the_list_page_query_count_does_not_grow_with_members(cast, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 50
    client = cast.client(cast.dept_admin)
    url = reverse("orgs:member_list")
    params = {"org": cast.branch_a2.pk}
    for i in range(5):
        make_member(cast.branch_a2, f"周{i}")
    with django_assert_max_num_queries(20) as five:
        assert "周4" in client.get(url, params).content.decode()
    for i in range(5, 25):
        make_member(cast.branch_a2, f"周{i}")
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert "周24" in client.get(url, params).content.decode()


def test_an_id_number_search_by_post_redirects_to_its_keyed_hash(cast):
    import personal

    client = cast.client(cast.dept_admin)
    number = personal.decrypt(cast.member_a1.id_number_enc)
    response = client.post(reverse("orgs:member_list"), {"q": number.lower(), "category": "full"})
    assert response.status_code == 302
    assert number not in response["Location"] and number.lower() not in response["Location"]
    assert "qk=" in response["Location"] and "category=full" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "李建国" in html and "王0华" not in html and "已按身份证号/手机号精确查询" in html


def test_a_phone_search_by_post_finds_the_member(cast):
    client = cast.client(cast.dept_admin)
    response = client.post(reverse("orgs:member_list"), {"q": "13700001111"})
    assert "13700001111" not in response["Location"]
    assert "赵红梅" in client.get(response["Location"]).content.decode()


def test_a_name_search_by_post_stays_a_plain_query(cast):
    response = cast.client(cast.dept_admin).post(reverse("orgs:member_list"), {"q": "李建国"})
    assert "qk=" not in response["Location"]
