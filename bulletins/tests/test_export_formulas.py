"""The 信息工作考核 ranking export writes a unit name that looks like a formula as text, never as a formula."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from bulletins.tests.conftest import adopted
from orgs.tests.xlsx_checks import FORMULA, formula_cells


def test_the_ranking_export_writes_typed_formulas_as_text(cast: Any, officer: Any, editor: Any) -> None:
    cast.committee_a.name = FORMULA
    cast.committee_a.save(update_fields=["name"])
    adopted(officer, editor, cast.committee_a)
    url = reverse("bulletins:ranking_export") + f"?year={dt.date.today().year}"
    response = cast.client(editor).get(url)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert formula_cells(wb) == []
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert FORMULA in cells
