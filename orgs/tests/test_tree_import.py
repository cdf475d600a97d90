"""Importing the tree from a parent column or nested paths: all-or-nothing, idempotent, per-row errors."""

import pytest

from audit.models import AuditEvent
from orgs.models import Organization
from orgs.services import tree_file
from orgs.services.roster import RosterFileError
from orgs.tests.roster_files import xlsx

PARENT_HEADERS = [
    "序号",
    "组织全称",
    "组织代码",
    "上级组织代码",
    "组织类别",
    "单位类别",
    "单位名称",
    "统一社会信用代码",
    "书记姓名",
]
PATH_HEADERS = ["组织路径", "组织代码", "组织类别", "单位类别"]


def org(name, code, parent, kind="党支部", unit="机关", **cells):
    return {
        "组织全称": name,
        "组织代码": code,
        "上级组织代码": parent,
        "组织类别": kind,
        "单位类别": unit,
        **cells,
    }


def county_file():
    return [
        org("县民政局机关党委", "N0001", "C0002", kind="党委"),
        org("县民政局第一党支部", "N0002", "N0001"),
        org(
            "县民政局第二党支部", "N0003", "N0001", 单位名称="县民政局", 统一社会信用代码="91110000600037341L"
        ),
        org("第一党小组", "N0004", "N0002", kind="党小组"),
    ]


def run(actor, rows, headers=PARENT_HEADERS, **kwargs):
    return tree_file.import_tree(actor=actor, file=xlsx(rows, headers), file_name="orgs.xlsx", **kwargs)


def test_a_parent_column_file_builds_the_tree_under_the_importers_node(cast):
    result = run(cast.committee_admin, list(reversed(county_file())))  # children before parents in the file
    assert result.ok, result.errors
    assert result.created == 4
    top = Organization.objects.get(code="N0001")
    assert top.parent == cast.committee_a and top.path.startswith(cast.committee_a.path)
    group = Organization.objects.get(code="N0004")
    assert group.parent.code == "N0002" and group.depth == top.depth + 2
    assert Organization.objects.get(code="N0003").unit_credit_code == "91110000600037341L"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


def test_new_children_are_numbered_after_the_parents_existing_children(cast):
    assert run(cast.committee_admin, county_file()).ok
    paths = sorted(Organization.objects.filter(parent=cast.committee_a).values_list("path", flat=True))
    assert len(paths) == len(set(paths)) == 3
    cast.committee_a.refresh_from_db()
    assert cast.committee_a.child_seq == 3


def test_a_second_run_of_the_same_file_changes_nothing(cast):
    run(cast.committee_admin, county_file())
    events = AuditEvent.objects.count()
    again = run(cast.committee_admin, county_file())
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.count() == events


def test_an_updated_file_reports_the_changes_field_by_field(cast):
    run(cast.committee_admin, county_file())
    changed = county_file()
    changed[1]["组织全称"] = "县民政局机关第一党支部"
    result = run(cast.committee_admin, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    [change] = result.changes
    assert change.code == "N0002" and change.fields == {
        "组织全称": ("县民政局第一党支部", "县民政局机关第一党支部")
    }


def test_nested_paths_build_the_same_tree_and_match_existing_organizations_by_path(cast):
    rows = [
        {
            "组织路径": "中共示范县委员会/中共示范县直属机关工作委员会/县民政局机关党委",
            "组织代码": "N0001",
            "组织类别": "党委",
            "单位类别": "机关",
        },
        {
            "组织路径": "中共示范县委员会/中共示范县直属机关工作委员会/县民政局机关党委/县民政局第一党支部",
            "组织代码": "N0002",
            "组织类别": "党支部",
            "单位类别": "机关",
        },
        # an existing organization, matched by its path (no code): updated, not duplicated
        {
            "组织路径": "中共示范县委员会 / 中共示范县直属机关工作委员会 / 县财政局机关党支部",
            "组织类别": "党支部",
            "单位类别": "机关",
        },
    ]
    result = run(cast.committee_admin, rows, PATH_HEADERS)
    assert result.ok, result.errors
    assert (result.created, result.unchanged) == (2, 1)
    assert Organization.objects.get(code="N0002").parent.code == "N0001"


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_a_cycle_in_the_parent_column_is_reported_on_every_row_of_it_and_nothing_is_imported(cast):
    rows = [*county_file(), org("甲支部", "X0001", "X0002"), org("乙支部", "X0002", "X0001")]
    result = run(cast.committee_admin, rows)
    assert not result.ok and result.created == 0
    cycle = [e for e in result.errors if "循环" in e.message]
    assert {e.row for e in cycle} == {6, 7} and "X0001 → X0002 → X0001" in cycle[0].message
    assert not Organization.objects.filter(code__in=["N0001", "X0001"]).exists()


def test_two_organizations_with_the_same_code_are_both_reported(cast):
    rows = [*county_file(), org("另一个支部", "N0002", "N0001")]
    result = run(cast.committee_admin, rows)
    messages = [e for e in result.errors if "重复" in e.message]
    assert {e.row for e in messages} == {3, 6} and messages[0].column == "组织代码"
    assert not Organization.objects.filter(code="N0001").exists()


def test_an_unknown_parent_is_a_row_error(cast):
    result = run(cast.committee_admin, [*county_file(), org("无主支部", "X0009", "Z9999")])
    assert errors_of(result) == [(6, "上级组织代码", "上级组织代码“Z9999”不存在（本文件和系统中都没有）")]
    assert Organization.objects.filter(code__startswith="N").count() == 0


def test_a_parent_outside_the_importers_scope_is_refused(cast):
    result = run(cast.committee_admin, [org("越权支部", "X0010", "C0003")])
    assert "您无权在组织" in result.errors[0].message


def test_a_code_used_outside_the_scope_is_refused_without_naming_the_organization(cast):
    result = run(cast.committee_admin, [org("抢代码支部", "B0003", "C0002")])
    assert result.errors[0].message == "组织代码“B0003”已被您管理范围以外的组织使用"
    assert "机械厂" not in result.errors[0].message


def test_only_the_system_admin_imports_a_top_level_organization(cast):
    result = run(cast.committee_admin, [org("另一个县委", "T0001", "", kind="党委")])
    assert "只有系统管理员" in result.errors[0].message


def test_a_bad_credit_code_kind_and_date_are_reported_in_chinese(cast):
    rows = [org("坏支部", "X0011", "C0002", kind="大队", 统一社会信用代码="91110000600037341M")]
    result = run(cast.committee_admin, rows)
    columns = {e.column for e in result.errors}
    assert {"组织类别", "统一社会信用代码"} <= columns
    assert any("校验位" in e.message for e in result.errors)


def test_an_existing_organization_is_not_moved_by_an_import(cast):
    result = run(
        cast.committee_admin,
        [org("县财政局机关党支部", "B0001", "C0002"), org("县教育局机关党支部", "B0002", "B0001")],
    )
    assert "不能改变已有组织" in result.errors[0].message


def test_a_missing_column_is_refused_before_any_row(cast):
    with pytest.raises(RosterFileError, match="单位类别"):
        run(cast.committee_admin, county_file(), ["组织全称", "组织代码", "上级组织代码", "组织类别"])


def test_a_reader_may_not_import(cast):
    with pytest.raises(Exception, match="没有导入党组织的权限"):
        run(cast.viewer, county_file())


def test_structure_findings_come_back_after_the_import(cast):
    result = run(cast.committee_admin, county_file())
    found = {o.code: {w.code for w in ws} for o, ws in result.findings}
    assert "group_without_leader" in found["N0004"]  # S-15: a 党小组 without a 组长
    assert "too_few" in found["N0002"]  # S-01 still runs


def test_a_formula_is_never_evaluated_its_cell_reads_as_empty(cast):
    rows = [org('=CONCATENATE("县","支部")', "X0020", "C0002")]  # openpyxl writes it as a formula, no value
    result = run(cast.committee_admin, rows)
    assert errors_of(result) == [(2, "组织全称", "请填写组织全称")]
    assert not Organization.objects.filter(code="X0020").exists()
