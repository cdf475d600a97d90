"""Checks for the formula-injection tests of every .xlsx export (issue 11, item 5; orgs.spreadsheets).

A downloaded workbook passes when no cell of any sheet is a formula (openpyxl data_type "f"), no sheet's
XML holds an <f> element, and every text a user typed is there verbatim as a plain string cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

# Texts a user can type into a name, an occupation, a topic or a note, each short enough for a name
# (40 characters). Only a leading "=" makes openpyxl write a formula; the others must stay text too.
FORMULA = '=HYPERLINK("http://e.example/x","点此")'
DDE = "=cmd|' /C calc'!A0"
SUM = "=1+2"
AT = "@SUM(1+1)"
MINUS = "-2+3"
PLUS = "+8613900001111"

_F_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def link(tag: str) -> str:
    """A distinct =HYPERLINK(…) per field, so each one is found (or missed) on its own."""
    return f'=HYPERLINK("http://e.example/{tag}","点此")'


def body(response: Any) -> bytes:
    """The bytes of a download, whether a FileResponse (streamed) or an HttpResponse."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def formula_cells(wb: Workbook) -> list[str]:
    return [
        f"{ws.title}!{cell.coordinate}={cell.value!r}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def f_elements(content: bytes) -> list[str]:
    """Names of the worksheet parts whose XML holds a formula element."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and _F_ELEMENT.search(archive.read(name))
        ]


def string_cells(wb: Workbook) -> dict[str, list[str]]:
    """Every string cell's value → where it is."""
    found: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str):
                    found.setdefault(cell.value, []).append(f"{ws.title}!{cell.coordinate}")
    return found


def check_no_formula(content: bytes, *typed: str, titles: tuple[str, ...] = ()) -> Workbook:
    """No formula anywhere in the workbook; each typed text is a string cell, verbatim.

    `titles`: texts an export writes as the start of a longer cell (a title row such as
    "<org name> 2026年组织生活台账"): such a cell must start with the text and still be a string.
    """
    wb = load_workbook(io.BytesIO(content))
    formulas = formula_cells(wb)
    assert not formulas, f"formula cells: {formulas}"
    parts = f_elements(content)
    assert not parts, f"<f> elements in {parts}"
    strings = string_cells(wb)
    for text in typed:
        assert text in strings, f"{text!r} is not a string cell"
    for text in titles:
        assert any(value.startswith(text) for value in strings), f"no string cell starts with {text!r}"
    return wb
