"""The pipeline export writes what a secretary typed as text, never as a formula."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import load_workbook

from development.models import Person
from development.services.exports import export_pipeline
from development.tests.fixtures_dev import applicant
from orgs.tests.xlsx_checks import FORMULA, formula_cells


def test_the_pipeline_export_writes_typed_formulas_as_text(cast):
    applicant(cast, name=FORMULA[:20])
    content = export_pipeline(
        actor=cast.dept_admin, queryset=Person.objects.all(), today=timezone.localdate()
    )
    wb = load_workbook(io.BytesIO(content))
    assert formula_cells(wb) == []
    cells = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert FORMULA[:20] in cells
