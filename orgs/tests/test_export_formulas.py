"""Formula injection (issue 11, item 5): orgs.spreadsheets, the roster export and the import template.

A secretary may save `=HYPERLINK(...)` as a name or an occupation; every .xlsx the product writes must
carry it as text. The other apps' exports are tested in their own test_export_formulas.py; the last test
here fails when an .xlsx download is added without one.
"""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.ratelimit import NOT_EXPORTS, RULES
from orgs import spreadsheets
from orgs.models import Member
from orgs.services import MemberData, create_member
from orgs.tests.xlsx_checks import (
    AT,
    DDE,
    FORMULA,
    MINUS,
    PLUS,
    SUM,
    body,
    check_no_formula,
    f_elements,
    formula_cells,
    link,
)
from personal import idcard

# ---------------------------------------------------------------- orgs.spreadsheets

TEXTS = [FORMULA, DDE, SUM, AT, MINUS, PLUS, "-5", "+86 139 0000 1111", "\t=1+2", "\n=1+2", "@", "="]
PLAIN = ["张三", "", " =1+2", "a=1", "3-5"]
NUMBERS = [5, -5, 2.5, -0.5, Decimal("59.5"), 0]


def _saved(write_only: bool, rows: list[list]) -> bytes:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    for row in rows:
        spreadsheets.append(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_append_writes_formula_like_texts_as_strings_and_keeps_numbers(write_only):
    day = dt.date(2026, 3, 1)
    content = _saved(write_only, [TEXTS, PLAIN, [*NUMBERS, day, None, True]])
    wb = load_workbook(io.BytesIO(content))
    assert formula_cells(wb) == []
    rows = list(wb.worksheets[0].iter_rows())
    assert [(c.value, c.data_type) for c in rows[0][: len(TEXTS)]] == [(t, "s") for t in TEXTS]
    # openpyxl writes "" as an empty cell
    assert [c.value for c in rows[1][: len(PLAIN)]] == [v or None for v in PLAIN]
    n = len(NUMBERS)
    numbers, (date_cell, empty, boolean) = rows[2][:n], rows[2][n : n + 3]
    assert [c.value for c in numbers] == [float(v) for v in NUMBERS]
    assert all(c.data_type == "n" for c in numbers)
    assert date_cell.is_date and date_cell.value.date() == day
    assert empty.value is None
    assert boolean.value is True and boolean.data_type == "b"


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_the_saved_sheet_xml_has_no_formula_element(write_only):
    content = _saved(write_only, [TEXTS, [FORMULA, 1, "x"]])
    assert f_elements(content) == []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/"))
    assert b"<f>" not in xml and b"<f " not in xml
    assert b'<t>=HYPERLINK("http://e.example/x","' in xml  # the text itself, as a string


def test_a_leading_carriage_return_is_still_text():
    """A text starting with CR is written as a string (XML end-of-line handling reads the CR back as LF)."""
    content = _saved(True, [["\r=1+2"]])
    cell = load_workbook(io.BytesIO(content)).worksheets[0]["A1"]
    assert cell.data_type == "s" and cell.value in ("\r=1+2", "\n=1+2")
    assert f_elements(content) == []


def test_the_rule_itself():
    assert all(spreadsheets.is_formula_like(t) for t in TEXTS)
    assert not any(spreadsheets.is_formula_like(v) for v in [*PLAIN, *NUMBERS, None, dt.date.today()])


def test_without_the_rule_openpyxl_would_write_a_formula():
    """The hazard the rule closes: a plain ws.append of such a text is a live formula."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    ws.append([FORMULA])
    out = io.BytesIO()
    wb.save(out)
    assert f_elements(out.getvalue()) == ["xl/worksheets/sheet1.xml"]


# ---------------------------------------------------------------- 党员名册 export and import template


def test_the_roster_export_writes_what_a_secretary_typed_as_text(cast):
    cast.group_a1.name = link("group")
    cast.group_a1.save(update_fields=["name"])
    cast.branch_a1.name = link("branch")
    cast.branch_a1.save(update_fields=["name"])
    birth = dt.date(1990, 1, 2)
    create_member(
        actor=cast.secretary,
        data=MemberData(
            name=FORMULA,
            id_number=idcard.make("340101", birth, 901),
            category=Member.Category.FULL,
            joined_on=dt.date(2015, 7, 1),
            full_member_on=dt.date(2016, 7, 1),
            org=cast.branch_a1,
            party_group=cast.group_a1,
            ethnicity=SUM,
            occupation=DDE,
            is_exempt=True,
            exempt_reason=AT,
        ),
    )
    response = cast.client(cast.dept_admin).get(reverse("orgs:member_export"))
    check_no_formula(body(response), FORMULA, DDE, SUM, AT, link("branch"), link("group"))


def test_the_import_template_writes_the_example_organization_as_text(cast):
    cast.branch_a1.name = link("branch")
    cast.branch_a1.code = MINUS
    cast.branch_a1.save(update_fields=["name", "code"])
    response = cast.client(cast.secretary).get(reverse("orgs:member_import_template"))
    wb = check_no_formula(body(response), link("branch"), MINUS)
    example = [c.value for c in wb["党员名册"][2]]
    assert MINUS in example and link("branch") in example


# ---------------------------------------------------------------- every .xlsx download is tested

# URL name → the test proving its file carries typed formulas as text.
TESTED = {
    "orgs:member_export": "orgs/tests/test_export_formulas.py::test_the_roster_export_writes_what_a_secretary_typed_as_text",
    "orgs:member_import_template": "orgs/tests/test_export_formulas.py::test_the_import_template_writes_the_example_organization_as_text",
    "orglife:stats_ledger_export": "orglife/tests/test_export_formulas.py::test_the_ledger_export_writes_typed_formulas_as_text",
    "orglife:plan_board_export": "orglife/tests/test_export_formulas.py::test_the_plan_board_export_writes_typed_formulas_as_text",
    "points:interviews": "points/tests/test_export_formulas.py::test_the_interview_list_writes_typed_formulas_as_text",
    "points:commendations": "points/tests/test_export_formulas.py::test_the_commendation_list_writes_typed_formulas_as_text",
    "observers:observer_export": "observers/tests/test_export_formulas.py::test_the_observer_roster_export_writes_typed_formulas_as_text",
    "observers:assessment_allowance_export": "observers/tests/test_export_formulas.py::test_the_allowance_export_writes_typed_formulas_as_text",
    "orgs:onboarding_template": "orgs/tests/test_export_formulas.py::test_the_onboarding_and_posts_templates_hold_no_formula",
    "orgs:position_import_template": "orgs/tests/test_export_formulas.py::test_the_onboarding_and_posts_templates_hold_no_formula",
    "orgs:county_export": "orgs/tests/test_county_file.py::test_the_archive_writes_typed_formulas_as_text",
    "quizzes:export": "quizzes/tests/test_export_formulas.py::test_the_bank_export_writes_typed_formulas_as_text",
    "development:person_export": "development/tests/test_export_formulas.py::test_the_pipeline_export_writes_typed_formulas_as_text",
    "learning:book_export": "learning/tests/test_export_formulas.py::test_the_book_export_writes_typed_formulas_as_text",
    "bulletins:ranking_export": "bulletins/tests/test_export_formulas.py::test_the_ranking_export_writes_typed_formulas_as_text",
}


def test_every_spreadsheet_download_has_a_formula_test():
    """accounts/tests/test_rate_limits.py keeps RULES complete; every download there that is not a PDF or a
    Word document is an .xlsx and must be listed above, and every test listed must exist."""
    from pathlib import Path

    downloads = {
        name
        for name, rule in RULES.items()
        if rule.scope == "export" and not name.endswith(("_pdf", "_docx"))
    }
    assert downloads | set(NOT_EXPORTS) == set(TESTED)
    root = Path(__file__).resolve().parents[2]
    for node in TESTED.values():
        path, _, name = node.partition("::")
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), node


@pytest.mark.parametrize("sheet", ["orgs", "members", "positions"])
def test_the_onboarding_and_posts_templates_hold_no_formula(client, cast, sheet):
    client.force_login(cast.dept_admin)
    for url in (reverse("orgs:onboarding_template", args=[sheet]), reverse("orgs:position_import_template")):
        response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert formula_cells(load_workbook(io.BytesIO(content))) == []
