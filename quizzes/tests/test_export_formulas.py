"""The bank export writes what an editor typed as text, never as a formula."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from orgs.tests.xlsx_checks import FORMULA, formula_cells
from quizzes import services
from quizzes.tests.conftest import single


def test_the_bank_export_writes_typed_formulas_as_text(client, cast, bank):
    services.create_question(actor=cast.dept_admin, category=bank.charter, data=single(FORMULA))
    client.force_login(cast.dept_admin)
    response = client.get(reverse("quizzes:export"), {"format": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert formula_cells(wb) == []
    assert FORMULA in [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
