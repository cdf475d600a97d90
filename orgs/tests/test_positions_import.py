"""The posts file: who holds which post where, from when to when; all-or-nothing and idempotent."""

import datetime as dt

import personal
from audit.models import AuditEvent
from conftest import make_member
from orgs.models import Organization, Position
from orgs.services import positions_file
from orgs.tests.roster_files import xlsx
from personal import idcard

HEADERS = [header for _, header, _ in positions_file.COLUMNS]


def number_of(member):
    return personal.decrypt(member.id_number_enc)


def post(member, code, title="书记", start="2024-01-01", **cells):
    return {
        "姓名": member.name,
        "公民身份号码": number_of(member),
        "任职组织代码": code,
        "职务": title,
        "任职日期": start,
        **cells,
    }


def run(actor, rows, headers=HEADERS):
    return positions_file.import_positions(actor=actor, file=xlsx(rows, headers), file_name="posts.xlsx")


def test_posts_are_imported_with_their_term_dates_and_the_secretary_is_named_on_the_org(cast):
    other = make_member(cast.branch_a1, "周敏")
    rows = [
        post(cast.member_a1, "B0001"),
        post(other, "B0001", "组织委员", 离任日期="2025-12-31"),
        post(other, "G0001", "党小组组长"),
    ]
    result = run(cast.committee_admin, rows)
    assert result.ok, result.errors
    assert result.created == 3
    secretary = Position.objects.get(title="secretary")
    assert secretary.member == cast.member_a1 and secretary.ended_on is None
    assert Position.objects.get(title="organization").ended_on == dt.date(2025, 12, 31)
    assert Organization.objects.get(code="B0001").secretary_name == "李建国"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


def test_a_second_run_changes_nothing_and_a_later_end_date_ends_the_post(cast):
    run(cast.committee_admin, [post(cast.member_a1, "B0001")])
    again = run(cast.committee_admin, [post(cast.member_a1, "B0001")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    ended = run(cast.committee_admin, [post(cast.member_a1, "B0001", 离任日期="2026-03-01")])
    assert ended.updated == 1 and Position.objects.get().ended_on == dt.date(2026, 3, 1)


def test_a_post_held_by_a_non_member_is_a_row_error_and_nothing_is_imported(cast):
    stranger = {
        "姓名": "路人甲",
        "公民身份号码": idcard.make("340101", dt.date(1988, 1, 1), 7),
        "任职组织代码": "B0001",
        "职务": "副书记",
        "任职日期": "2024-01-01",
    }
    result = run(cast.committee_admin, [post(cast.member_a1, "B0001"), stranger])
    assert [(e.row, e.column) for e in result.errors] == [(3, "公民身份号码")]
    assert "不是您管理范围内的在册党员" in result.errors[0].message
    assert not Position.objects.exists()


def test_a_member_outside_the_scope_is_treated_as_unknown(cast):
    result = run(cast.committee_admin, [post(cast.member_b1, "B0001")])
    assert "不是您管理范围内的在册党员" in result.errors[0].message
    assert "赵红梅" not in result.errors[0].message


def test_bad_rows_get_chinese_errors(cast):
    rows = [
        post(cast.member_a1, "B0001", title="队长"),
        post(cast.member_a1, "B0001", start="2024-13-01"),
        post(cast.member_a1, "B0001", start="2024-05-01", 离任日期="2024-01-01"),
        post(cast.member_a1, "B0002"),  # not the member's organization
        {**post(cast.member_a1, "B0001", start="2023-01-01"), "姓名": "李四"},
    ]
    messages = [e.message for e in run(cast.committee_admin, rows).errors]
    assert any("职务“队长”不可识别" in m for m in messages)
    assert any("不存在" in m for m in messages)
    assert any("离任日期不能早于任职日期" in m for m in messages)
    assert any("只能在本人所在组织" in m for m in messages)
    assert any("姓名“李四”与该公民身份号码登记的党员姓名“李建国”不符" in m for m in messages)


def test_the_same_post_twice_in_a_file_is_reported(cast):
    result = run(cast.committee_admin, [post(cast.member_a1, "B0001"), post(cast.member_a1, "B0001")])
    assert result.errors[0].message == "与第2行是同一职务"
