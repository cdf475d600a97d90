import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

import personal
from audit.models import AuditEvent
from orgs.models import Member, RoleGrant
from orgs.roles import Role
from orgs.services import roster
from orgs.tests.roster_files import HEADERS, person, xlsx
from personal import idcard


def run(user, rows, name="名册.xlsx"):
    return roster.import_members(actor=user, file=xlsx(rows), file_name=name)


def imports():
    return AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT)


def errors_at(result):
    return {(e.row, e.column) for e in result.errors}


def test_a_valid_file_imports_every_row(cast):
    before = Member.objects.count()
    result = run(cast.committee_admin, [person(1), person(2), person(3, 所在党组织代码="B0002")])
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Member.objects.count() == before + 3
    member = Member.objects.get(name="陈晓3")
    assert member.org == cast.branch_a2
    assert member.full_member_on == dt.date(2016, 7, 1)
    assert member.id_number_masked == "3" + "*" * 16 + idcard.make("340102", dt.date(1990, 3, 8), 3)[-1]
    assert personal.decrypt(member.phone_enc) == "13900000003"


def test_one_bad_row_imports_nothing_and_reports_its_excel_row(cast):
    before = Member.objects.count()
    rows = [person(1), person(2), person(3), person(4, 入党日期="1980-01-01")]
    result = run(cast.committee_admin, rows)
    assert not result.ok
    assert (5, "入党日期") in errors_at(result)  # header is row 1, so the fourth person is row 5
    assert {e.row for e in result.errors} == {5}
    assert Member.objects.count() == before
    assert not imports().exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast):
    rows = [person(1), person(2), person(3)]
    run(cast.committee_admin, rows)
    stamps = dict(Member.objects.filter(name__startswith="陈晓").values_list("pk", "updated_at"))
    events = imports().count()
    again = run(cast.committee_admin, rows)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert imports().count() == events == 1
    assert dict(Member.objects.filter(name__startswith="陈晓").values_list("pk", "updated_at")) == stamps


def test_a_row_with_a_registered_id_number_updates_that_member(cast):
    number = personal.decrypt(cast.member_a1.id_number_enc)
    row = person(
        1,
        姓名="李建国",
        公民身份号码=number,
        入党日期="2005-07-01",
        转正日期="2006-07-01",
        工作岗位="科长",
        所在党组织代码="B0002",
        联系电话="13955551234",
    )
    result = run(cast.committee_admin, [row])
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 0)
    cast.member_a1.refresh_from_db()
    assert (cast.member_a1.occupation, cast.member_a1.org) == ("科长", cast.branch_a2)
    assert personal.decrypt(cast.member_a1.id_number_enc) == number
    assert imports().get().summary["updated"] == 1


def test_an_import_writes_one_audit_event_with_the_counts(cast):
    run(cast.committee_admin, [person(i) for i in range(1, 6)], name="五人.xlsx")
    event = imports().get()
    assert event.summary == {"file_name": "五人.xlsx", "rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert event.org_id == cast.branch_a1.pk
    assert event.actor_id == cast.committee_admin.pk


def test_a_party_group_is_found_by_name_under_the_organization(cast):
    result = run(cast.committee_admin, [person(1, 所在党小组="第一党小组")])
    assert result.ok
    assert Member.objects.get(name="陈晓1").party_group == cast.group_a1


def test_an_organization_may_be_given_by_full_name_instead_of_code(cast):
    result = run(cast.committee_admin, [person(1, 所在党组织代码=None, 所在党组织="县教育局机关党支部")])
    assert result.ok
    assert Member.objects.get(name="陈晓1").org == cast.branch_a2


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2001, 7, 1),
        dt.date(2001, 7, 1),
        "2001-07-01",
        "2001/7/1",
        "2001.07.01",
        "20010701",
        20010701,
        "2001年7月1日",
        37073,
    ],
)
def test_dates_accept_excel_dates_and_common_text_forms(value):
    assert roster.parse_date(value) == dt.date(2001, 7, 1)


@pytest.mark.parametrize("value", ["2001-13-01", "7/1/2001", "去年", 123456789])
def test_unreadable_dates_are_refused(value):
    with pytest.raises(ValueError):
        roster.parse_date(value)


def test_real_excel_date_cells_are_imported(cast):
    result = run(
        cast.committee_admin, [person(1, 入党日期=dt.date(2015, 7, 1), 转正日期=dt.datetime(2016, 7, 1))]
    )
    assert result.ok
    assert Member.objects.get(name="陈晓1").joined_on == dt.date(2015, 7, 1)


def bad_checksum(seq):
    number = idcard.make("340102", dt.date(1990, 3, 8), seq)
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"公民身份号码": bad_checksum(9)}, "公民身份号码", "校验位"),
        ({"入党日期": "1990-01-01"}, "入党日期", "晚于出生日期"),
        ({"转正日期": "2014-07-01"}, "转正日期", "不能早于入党日期"),
        ({"所在党组织代码": "NOPE"}, "所在党组织代码", "不存在或不在您的管理范围内"),
        ({"所在党组织代码": "B0003"}, "所在党组织代码", "不存在或不在您的管理范围内"),
        ({"人员类别": "积极分子"}, "人员类别", "人员类别应为正式党员或预备党员"),
        ({"学历": "私塾"}, "学历", "学历应为"),
        ({"入党日期": "2015-02-30"}, "入党日期", "不存在"),
        ({"所在党小组": "第九党小组"}, "所在党小组", "没有党小组"),
        ({"人员类别": "预备党员"}, "转正日期", "预备党员不应有转正日期"),
        ({"联系电话": "call-me"}, "联系电话", "7至12位数字"),
    ],
    ids=[
        "checksum",
        "join-before-birth",
        "full-before-join",
        "unknown-org",
        "org-outside-scope",
        "category-label",
        "education-label",
        "impossible-date",
        "unknown-group",
        "probationary-with-date",
        "phone",
    ],
)
def test_each_validation_error_is_reported_on_its_row_and_column(cast, cells, column, message):
    before = Member.objects.count()
    result = run(cast.committee_admin, [person(1), person(2, **cells)])
    assert errors_at(result) == {(3, column)}
    assert any(message in e.message for e in result.errors)
    assert Member.objects.count() == before


def test_an_id_number_twice_in_the_file_reports_both_rows(cast):
    number = idcard.make("340102", dt.date(1990, 3, 8), 7)
    result = run(
        cast.committee_admin, [person(1, 公民身份号码=number), person(2), person(3, 公民身份号码=number)]
    )
    assert errors_at(result) == {(2, "公民身份号码"), (4, "公民身份号码")}
    assert "第4行" in result.errors[0].message and "第2行" in result.errors[1].message


def test_a_member_registered_outside_the_importers_scope_cannot_be_updated(cast):
    number = personal.decrypt(cast.member_b1.id_number_enc)
    result = run(cast.committee_admin, [person(1, 公民身份号码=number, 姓名="赵红梅")])
    assert errors_at(result) == {(2, "公民身份号码")}
    cast.member_b1.refresh_from_db()
    assert cast.member_b1.org == cast.branch_b1


def test_an_outsider_gets_row_errors_for_organizations_outside_their_branch(cast):
    result = run(cast.outsider, [person(1, 所在党组织代码="B0003"), person(2, 所在党组织代码="B0001")])
    assert errors_at(result) == {(3, "所在党组织代码")}


def test_a_viewer_may_not_import_at_all(cast):
    with pytest.raises(PermissionDenied):
        run(cast.viewer, [person(1)])


def test_a_file_that_is_not_a_workbook_is_refused(cast):
    with pytest.raises(roster.RosterFileError):
        roster.import_members(
            actor=cast.dept_admin, file=io.BytesIO(b"PK\x03\x04 not really"), file_name="a.xlsx"
        )


def test_a_sheet_without_the_header_row_is_refused(cast):
    with pytest.raises(roster.RosterFileError, match="表头"):
        roster.import_members(
            actor=cast.dept_admin, file=xlsx([{"x": 1}], headers=["甲", "乙"]), file_name="a.xlsx"
        )


def test_the_template_imports_once_filled_and_skips_its_example_row(cast):
    wb = load_workbook(io.BytesIO(roster.build_template(example_org=cast.branch_a1)))
    ws = wb["党员名册"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A2"].value == "示例"
    row = person(1)
    ws.append([row.get(h) for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = roster.import_members(actor=cast.committee_admin, file=out, file_name="模板.xlsx")
    assert result.ok and (result.rows, result.created) == (1, 1)


def test_an_organization_the_importer_may_only_read_gets_its_own_message(cast):
    RoleGrant.objects.create(user=cast.secretary, org=cast.committee_a, role=Role.VIEWER)
    result = run(cast.secretary, [person(1), person(2, 所在党组织代码="B0002")])
    assert errors_at(result) == {(3, "所在党组织代码")}
    assert "只有查看权限" in result.errors[0].message
