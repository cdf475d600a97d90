"""The 一人一册 export writes what a checker typed as text, never as a formula."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from learning.services import books as svc
from orgs.tests.xlsx_checks import FORMULA, formula_cells

DAY = dt.date(2026, 5, 10)


def test_the_book_export_writes_typed_formulas_as_text(cast):
    book = svc.issue_book(
        actor=cast.committee_admin,
        data=svc.BookData(cast.committee_a, FORMULA[:40], dt.date(2026, 5, 1)),
        today=DAY,
    )
    record = book.records.get(member=cast.member_a1)
    svc.check_record(
        actor=cast.committee_admin, record=record, result="fail", checked_on=DAY, remark=FORMULA, today=DAY
    )
    client = cast.client(cast.committee_admin)
    response = client.get(reverse("learning:book_export", args=[book.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert formula_cells(wb) == []
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert FORMULA in cells
