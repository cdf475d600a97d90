import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from orgs.models import Organization


def get_html(cast, user, url, params=None):
    response = cast.client(user).get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def org_form(**overrides):
    data = {
        "name": "县审计局机关党支部",
        "short_name": "审计局支部",
        "code": "B0099",
        "kind": "branch",
        "unit_category": "organ",
        "contact_phone": "05561234567",
        "term_started_on": "2024-01-01",
    }
    data.update(overrides)
    return data


def test_the_org_page_shows_every_field_with_the_phone_masked(cast):
    org = cast.branch_a1
    org.set_contact_phone("13611112222")
    org.contact_name, org.secretary_name, org.unit_situation = "钱进", "李建国", "机关单位已建立党组织"
    org.save()
    html = get_html(cast, cast.viewer, reverse("orgs:org_detail", args=[org.pk]))
    for text in [
        "县财政局机关党支部",
        "B0001",
        "党支部",
        "机关",
        "钱进",
        "李建国",
        "机关单位已建立党组织",
        "136******22",
    ]:
        assert text in html
    assert "13611112222" not in html


def test_the_org_page_shows_structure_warnings(cast):
    html = get_html(cast, cast.committee_admin, reverse("orgs:org_detail", args=[cast.branch_a2.pk]))
    assert "alert-warning" in html and "正式党员0人，不足3人" in html


def test_the_org_page_lists_children_counts_positions_and_links_members(cast):
    html = get_html(cast, cast.committee_admin, reverse("orgs:org_detail", args=[cast.committee_a.pk]))
    assert "县财政局机关党支部" in html and "县教育局机关党支部" in html
    assert f"{reverse('orgs:member_list')}?org={cast.committee_a.pk}" in html
    assert 'class="xf-stat">4<' in html  # four full members under the committee


def test_a_writer_creates_an_org_under_their_subtree(cast):
    before = AuditEvent.objects.count()
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:org_create"), org_form(parent=cast.committee_a.pk)
    )
    org = Organization.objects.get(code="B0099")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:org_detail", args=[org.pk])
    assert org.parent == cast.committee_a and org.path.startswith(cast.committee_a.path)
    assert org.contact_phone_masked == "055******67"
    assert AuditEvent.objects.count() == before + 1


def test_the_parent_must_be_an_org_the_user_may_write(cast):
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:org_create"), org_form(parent=cast.committee_b.pk)
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Organization.objects.filter(code="B0099").exists()


def test_a_duplicate_code_shows_a_chinese_error_next_to_the_field(cast):
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:org_create"), org_form(parent=cast.committee_a.pk, code="B0001")
    )
    html = response.content.decode()
    assert response.status_code == 200 and "组织代码" in html and "已存在" in html and "is-invalid" in html


def test_editing_an_org_audits_the_change_once(cast):
    org = cast.branch_a2
    before = AuditEvent.objects.count()
    data = org_form(name=org.name, code=org.code, secretary_name="孙丽", contact_phone="")
    response = cast.client(cast.committee_admin).post(reverse("orgs:org_edit", args=[org.pk]), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.secretary_name == "孙丽" and org.term_started_on == dt.date(2024, 1, 1)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().summary["changed"]["secretary_name"] == ["", "孙丽"]


def test_the_org_list_filters_and_shows_member_counts(cast):
    html = get_html(cast, cast.dept_admin, reverse("orgs:org_list"), {"kind": "branch"})
    assert "县财政局机关党支部" in html and "示范机械厂党支部" in html and "共 3 条" in html
    html = get_html(cast, cast.dept_admin, reverse("orgs:org_list"), {"q": "财政"})
    assert "县财政局机关党支部" in html and "县教育局机关党支部" not in html
    assert f'?org={cast.branch_a1.pk}">4<' in html


def test_the_org_list_empty_state_and_new_button(cast):
    html = get_html(cast, cast.committee_admin, reverse("orgs:org_list"), {"q": "没有这个组织"})
    assert "没有符合条件的党组织" in html and reverse("orgs:org_create") in html
    assert reverse("orgs:org_create") not in get_html(cast, cast.viewer, reverse("orgs:org_list"))


def test_the_tree_starts_at_the_users_scope_and_loads_children_on_demand(cast):
    client = cast.client(cast.committee_admin)
    html = client.get(reverse("orgs:org_tree")).content.decode()
    assert "中共示范县直属机关工作委员会" in html and "中共示范县委员会" not in html
    assert "县财政局机关党支部" in html  # a lone root starts opened
    html = cast.client(cast.dept_admin).get(reverse("orgs:org_tree")).content.decode()
    assert f"?parent={cast.committee_b.pk}" in html  # closed nodes load their children on demand
    html = client.get(reverse("orgs:org_tree"), {"parent": cast.committee_a.pk}).content.decode()
    assert "县财政局机关党支部" in html and "县教育局机关党支部" in html
    html = client.get(reverse("orgs:org_tree"), {"parent": cast.branch_a1.pk}).content.decode()
    assert "第一党小组" not in html  # groups are not tree nodes: members belong to their branch


def test_the_problem_list_shows_the_users_orgs_with_warnings(cast):
    html = get_html(cast, cast.dept_admin, reverse("orgs:problems"))
    assert "县教育局机关党支部" in html and "示范机械厂党支部" in html
    assert "县财政局机关党支部" not in html
    assert reverse("orgs:org_detail", args=[cast.branch_a2.pk]) in html
    html = get_html(cast, cast.committee_admin, reverse("orgs:problems"))
    assert "县教育局机关党支部" in html and "示范机械厂党支部" not in html


def test_the_problem_list_filters_by_warning_type(cast):
    org = cast.branch_a1
    org.term_started_on = dt.date(2000, 1, 1)
    org.save()
    html = get_html(cast, cast.dept_admin, reverse("orgs:problems"), {"type": "term_expired"})
    assert "县财政局机关党支部" in html and "县教育局机关党支部" not in html
    html = get_html(cast, cast.dept_admin, reverse("orgs:problems"), {"type": "too_many"})
    assert "没有此类问题" in html
