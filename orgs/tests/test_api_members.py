import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from conftest import make_member
from orgs.models import Member
from orgs.tests.api_client import api, ids
from personal import idcard

LIST = "/api/v1/members/"
NEW_ID = idcard.make("340826", dt.date(1990, 3, 4), 31)


def detail(member):
    return f"/api/v1/members/{member.pk}/"


def new_member(org, **extra):
    return {
        "name": "陈明",
        "id_number": NEW_ID,
        "category": "full",
        "joined_on": "2015-06-01",
        "full_member_on": "2016-06-01",
        "org": org.pk,
        "phone": "13600001234",
        **extra,
    }


# ---------------------------------------------------------------- four-way access


def test_the_list_four_ways(cast):
    everyone = set(Member.objects.values_list("pk", flat=True))
    a_members = set(Member.objects.filter(org=cast.branch_a1).values_list("pk", flat=True))
    assert ids(api(cast.dept_admin).get(LIST)) == everyone
    assert ids(api(cast.committee_admin).get(LIST)) == a_members
    assert ids(api(cast.viewer).get(LIST)) == a_members
    assert ids(api(cast.outsider).get(LIST)) == {cast.member_b1.pk}
    assert api(None).get(LIST).status_code == 401


def test_the_detail_four_ways(cast):
    url = detail(cast.member_a1)
    assert api(cast.dept_admin).get(url).status_code == 200
    assert api(cast.committee_admin).get(url).status_code == 200
    assert api(cast.viewer).get(url).status_code == 200
    assert api(cast.outsider).get(url).status_code == 404
    assert api(None).get(url).status_code == 401


def test_creating_four_ways(cast):
    assert api(cast.committee_admin).post(LIST, new_member(cast.branch_a1), format="json").status_code == 201
    other = new_member(cast.branch_a2, id_number=idcard.make("340826", dt.date(1991, 4, 5), 33))
    assert api(cast.dept_admin).post(LIST, other, format="json").status_code == 201
    third = new_member(cast.branch_a2, id_number=idcard.make("340826", dt.date(1992, 4, 5), 35))
    assert api(cast.viewer).post(LIST, third, format="json").status_code == 403
    assert api(cast.outsider).post(LIST, third, format="json").status_code == 404
    assert api(None).post(LIST, third, format="json").status_code == 401
    assert Member.objects.filter(name="陈明").count() == 2


def test_updating_four_ways(cast):
    url = detail(cast.member_a1)
    assert api(cast.committee_admin).patch(url, {"occupation": "科员"}, format="json").status_code == 200
    assert api(cast.dept_admin).patch(url, {"occupation": "科长"}, format="json").status_code == 200
    assert api(cast.viewer).patch(url, {"occupation": "局长"}, format="json").status_code == 403
    assert api(cast.outsider).patch(url, {"occupation": "局长"}, format="json").status_code == 404
    assert api(None).patch(url, {"occupation": "局长"}, format="json").status_code == 401
    cast.member_a1.refresh_from_db()
    assert cast.member_a1.occupation == "科长"


def test_a_secretary_writes_only_in_their_branch(cast):
    assert api(cast.secretary).get(detail(cast.member_a1)).status_code == 200
    assert api(cast.secretary).post(LIST, new_member(cast.branch_a2), format="json").status_code == 404


# ---------------------------------------------------------------- filters


def test_filters_by_name_org_and_category(cast):
    probationary = make_member(cast.branch_a2, "钱小梅", category="probationary")
    client = api(cast.dept_admin)
    assert ids(client.get(LIST, {"q": "李建国"})) == {cast.member_a1.pk}
    assert ids(client.get(LIST, {"org": cast.committee_b.pk})) == {cast.member_b1.pk}
    assert ids(client.get(LIST, {"category": "probationary"})) == {probationary.pk}
    assert ids(client.get(LIST, {"org": cast.committee_a.pk, "category": "probationary"})) == {
        probationary.pk
    }


def test_q_finds_a_member_by_full_phone_inside_scope_only(cast):
    assert ids(api(cast.dept_admin).get(LIST, {"q": "13700001111"})) == {cast.member_b1.pk}
    assert ids(api(cast.committee_admin).get(LIST, {"q": "13700001111"})) == set()


def test_filtering_by_an_organization_outside_scope_finds_nothing(cast):
    assert ids(api(cast.committee_admin).get(LIST, {"org": cast.committee_b.pk})) == set()


def test_an_invalid_filter_value_is_a_400(cast):
    assert api(cast.dept_admin).get(LIST, {"category": "nonsense"}).status_code == 400


# ---------------------------------------------------------------- writes


def test_creating_a_member_audits_once_and_stores_the_id_encrypted(cast):
    before = AuditEvent.objects.count()
    response = api(cast.committee_admin).post(LIST, new_member(cast.branch_a1), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["gender"] == "男" and body["birth_year"] == 1990
    assert body["category_display"] == "正式党员" and body["org_name"] == cast.branch_a1.name
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event.action == AuditEvent.Action.CREATE and event.target_id == str(body["id"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_enc, phone_enc FROM orgs_member WHERE id = %s", [body["id"]])
        id_enc, phone_enc = cursor.fetchone()
    assert id_enc and NEW_ID not in id_enc
    assert phone_enc and "13600001234" not in phone_enc


def test_a_member_joins_a_party_group_of_their_branch(cast):
    body = (
        api(cast.secretary)
        .post(LIST, new_member(cast.branch_a1, party_group=cast.group_a1.pk), format="json")
        .json()
    )
    assert body["party_group"] == cast.group_a1.pk and body["party_group_name"] == "第一党小组"


def test_patching_keeps_the_personal_data_it_was_not_given(cast):
    api(cast.committee_admin).patch(detail(cast.member_a1), {"occupation": "科员"}, format="json")
    member = Member.objects.get(pk=cast.member_a1.pk)
    assert member.phone_masked == "139******34"
    assert member.id_number_hash == cast.member_a1.id_number_hash


def test_patching_the_id_number_derives_birth_date_and_gender_again(cast):
    new_id = idcard.make("340101", dt.date(1982, 2, 3), 202)
    body = (
        api(cast.committee_admin).patch(detail(cast.member_a1), {"id_number": new_id}, format="json").json()
    )
    assert body["birth_year"] == 1982 and body["gender"] == "女"
    assert body["id_number_masked"] == new_id[0] + "*" * 16 + new_id[-1]


def test_moving_a_member_needs_write_scope_on_the_new_organization(cast):
    url = detail(cast.member_a1)
    assert api(cast.committee_admin).patch(url, {"org": cast.branch_b1.pk}, format="json").status_code == 404
    assert api(cast.committee_admin).patch(url, {"org": cast.branch_a2.pk}, format="json").status_code == 200
    cast.member_a1.refresh_from_db()
    assert cast.member_a1.org_id == cast.branch_a2.pk


def test_validation_errors_come_back_in_chinese_per_field(cast):
    response = api(cast.committee_admin).post(
        LIST,
        new_member(
            cast.branch_a1,
            id_number="340826199003040000",
            joined_on="2016-06-01",
            full_member_on="2015-06-01",
            phone="12ab",
        ),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"phone": ["联系电话应为7至12位数字"]}
    response = api(cast.committee_admin).post(
        LIST,
        new_member(
            cast.branch_a1,
            id_number="340826199003040000",
            joined_on="2016-06-01",
            full_member_on="2015-06-01",
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["id_number"] == ["公民身份号码校验位错误"]
    assert errors["full_member_on"] == ["转正日期不能早于入党日期"]


def test_missing_fields_are_named_in_chinese(cast):
    response = api(cast.committee_admin).post(LIST, {"org": cast.branch_a1.pk}, format="json")
    assert response.status_code == 400
    errors = response.json()
    for name in ("name", "id_number", "category", "joined_on"):
        assert errors[name] == ["该字段是必填项。"]


def test_a_duplicate_id_number_is_refused(cast):
    api(cast.committee_admin).post(LIST, new_member(cast.branch_a1), format="json")
    response = api(cast.committee_admin).post(LIST, new_member(cast.branch_a2), format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["该公民身份号码已登记为党员"]


def test_a_party_group_outside_scope_is_refused(cast):
    response = api(cast.outsider).post(
        LIST, new_member(cast.branch_b1, party_group=cast.group_a1.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json()["party_group"] == ["所在党小组不存在"]


# ---------------------------------------------------------------- performance


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_the_same_number_of_queries_for_5_and_25_members(cast):
    client = api(cast.committee_admin)
    client.get(LIST)  # a new token's first use is recorded (at most once a minute), not counted here
    make_member(cast.branch_a2, "孙立")
    assert Member.objects.visible_to(cast.committee_admin).count() == 5
    few = _list_queries(client)
    for i in range(20):
        make_member(cast.branch_a1, f"周{i}强", party_group=cast.group_a1)
    assert Member.objects.visible_to(cast.committee_admin).count() == 25
    assert _list_queries(client) == few
