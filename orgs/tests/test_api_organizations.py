import datetime as dt

import pytest
import time_machine

from audit.models import AuditEvent
from orgs.models import Organization
from orgs.tests.api_client import api, ids

LIST = "/api/v1/organizations/"


def detail(org):
    return f"/api/v1/organizations/{org.pk}/"


def new_branch(parent, code="B9001", **extra):
    return {
        "parent": parent.pk,
        "name": "县审计局机关党支部",
        "code": code,
        "kind": "branch",
        "unit_category": "organ",
        **extra,
    }


# ---------------------------------------------------------------- four-way access

READS = [
    lambda c: detail(c.branch_a1),
    lambda c: detail(c.branch_a1) + "children/",
    lambda c: detail(c.committee_a) + "children/",
    lambda c: detail(c.branch_a1) + "warnings/",
]


@pytest.mark.parametrize("url", READS)
def test_reads_of_an_organization_four_ways(cast, url):
    assert api(cast.dept_admin).get(url(cast)).status_code == 200
    assert api(cast.committee_admin).get(url(cast)).status_code == 200
    assert api(cast.viewer).get(url(cast)).status_code == 200
    assert api(cast.outsider).get(url(cast)).status_code == 404
    assert api(None).get(url(cast)).status_code == 401


def test_the_list_four_ways(cast):
    assert ids(api(cast.dept_admin).get(LIST)) == set(Organization.objects.values_list("pk", flat=True))
    a_tree = {cast.committee_a.pk, cast.branch_a1.pk, cast.branch_a2.pk, cast.group_a1.pk}
    assert ids(api(cast.committee_admin).get(LIST)) == a_tree
    assert ids(api(cast.viewer).get(LIST)) == a_tree
    assert ids(api(cast.outsider).get(LIST)) == {cast.branch_b1.pk}
    assert api(None).get(LIST).status_code == 401


def test_creating_four_ways(cast):
    response = api(cast.committee_admin).post(LIST, new_branch(cast.committee_a), format="json")
    assert response.status_code == 201
    assert response.json()["path"].startswith(cast.committee_a.path)
    assert (
        api(cast.dept_admin).post(LIST, new_branch(cast.committee_a, "B9002"), format="json").status_code
        == 201
    )
    assert (
        api(cast.viewer).post(LIST, new_branch(cast.committee_a, "B9003"), format="json").status_code == 403
    )
    assert (
        api(cast.outsider).post(LIST, new_branch(cast.committee_a, "B9004"), format="json").status_code == 404
    )
    assert api(None).post(LIST, new_branch(cast.committee_a, "B9005"), format="json").status_code == 401
    assert not Organization.objects.filter(code__in=["B9003", "B9004", "B9005"]).exists()


def test_updating_four_ways(cast):
    url = detail(cast.branch_a2)
    assert api(cast.committee_admin).patch(url, {"secretary_name": "周平"}, format="json").status_code == 200
    assert api(cast.dept_admin).patch(url, {"secretary_name": "吴刚"}, format="json").status_code == 200
    assert api(cast.viewer).patch(url, {"secretary_name": "孙丽"}, format="json").status_code == 403
    assert api(cast.outsider).patch(url, {"secretary_name": "孙丽"}, format="json").status_code == 404
    assert api(None).patch(url, {"secretary_name": "孙丽"}, format="json").status_code == 401
    cast.branch_a2.refresh_from_db()
    assert cast.branch_a2.secretary_name == "吴刚"


def test_put_and_delete_are_not_offered(cast):
    assert api(cast.dept_admin).put(detail(cast.branch_a2), {}, format="json").status_code == 405
    assert api(cast.dept_admin).delete(detail(cast.branch_a2)).status_code == 405


# ---------------------------------------------------------------- content


def test_an_organization_shows_labels_counts_and_its_term(cast):
    cast.branch_a1.term_started_on = dt.date(2024, 3, 1)
    cast.branch_a1.save()
    body = api(cast.viewer).get(detail(cast.branch_a1)).json()
    assert body["kind"] == "branch" and body["kind_display"] == "党支部"
    assert body["unit_category_display"] == "机关"
    assert body["parent"] == cast.committee_a.pk and body["depth"] == 3
    assert body["member_count"] == 4
    assert body["term_ends_on"] == "2027-03-01"
    assert body["has_committee"] is True


def test_the_contact_phone_goes_in_plain_and_comes_out_masked(cast):
    response = api(cast.committee_admin).post(
        LIST, new_branch(cast.committee_a, contact_phone="13512345678"), format="json"
    )
    body = response.json()
    assert body["contact_phone_masked"] == "135******78"
    assert "contact_phone" not in body and "13512345678" not in response.content.decode()


def test_creating_writes_one_audit_event(cast):
    before = AuditEvent.objects.count()
    api(cast.committee_admin).post(LIST, new_branch(cast.committee_a), format="json")
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().action == AuditEvent.Action.CREATE


def test_children_are_the_direct_children_only(cast):
    assert ids(api(cast.viewer).get(detail(cast.committee_a) + "children/")) == {
        cast.branch_a1.pk,
        cast.branch_a2.pk,
    }


def test_the_list_filters_by_the_shared_filterset(cast):
    client = api(cast.dept_admin)
    assert ids(client.get(LIST, {"under": cast.committee_b.pk})) == {cast.committee_b.pk, cast.branch_b1.pk}
    assert ids(client.get(LIST, {"kind": "group"})) == {cast.group_a1.pk}
    assert ids(client.get(LIST, {"q": "机械厂"})) == {cast.branch_b1.pk}
    assert ids(client.get(LIST, {"unit_category": "enterprise"})) == {cast.committee_b.pk, cast.branch_b1.pk}


@time_machine.travel(dt.datetime(2026, 1, 15, 9, 0), tick=False)
def test_warnings_come_from_the_structure_rules(cast):
    cast.branch_a2.term_started_on = dt.date(2022, 12, 1)
    cast.branch_a2.save()
    body = api(cast.viewer).get(detail(cast.branch_a2) + "warnings/").json()
    codes = {w["code"] for w in body}
    assert codes == {"too_few", "term_expired"}
    assert all(w["message"] for w in body)


def test_a_top_level_organization_needs_a_superuser(cast):
    body = new_branch(cast.committee_a) | {"parent": None}
    assert api(cast.dept_admin).post(LIST, body, format="json").status_code == 403


def test_the_parent_cannot_be_changed_by_patch(cast):
    api(cast.dept_admin).patch(detail(cast.branch_a2), {"parent": cast.committee_b.pk}, format="json")
    cast.branch_a2.refresh_from_db()
    assert cast.branch_a2.parent_id == cast.committee_a.pk


# ---------------------------------------------------------------- validation


def test_missing_and_invalid_fields_are_explained_in_chinese(cast):
    response = api(cast.committee_admin).post(
        LIST, {"parent": cast.committee_a.pk, "kind": "nonsense", "contact_phone": "12ab"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["name"] == ["该字段是必填项。"]
    assert "不是合法选项" in errors["kind"][0]
    assert errors["contact_phone"] == ["联系电话应为7至12位数字"]


def test_a_duplicate_code_is_refused_by_the_service_in_chinese(cast):
    response = api(cast.committee_admin).post(LIST, new_branch(cast.committee_a, code="B0001"), format="json")
    assert response.status_code == 400
    assert "已存在" in response.json()["code"][0]
