"""Rows for the .xlsx files every app exports: a text that begins like a formula is written as text.

A name or an occupation typed as `=HYPERLINK("http://…","点此")` must reach the county's spreadsheet as
those characters, never as a live formula (CSV/formula injection, OWASP). openpyxl takes any string
starting with "=" for a formula; `append` writes such values as string cells instead, so Excel and WPS show
them and never evaluate them, and a re-import reads back what was typed (no prefix is added; a leading carriage
return comes back as a line feed, as XML reads it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

# What spreadsheet programs read as the start of a formula or a DDE call.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def text_cell(ws: Any, value: str) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # after the value: openpyxl has just typed it "f" (formula)
    return cell


def append(ws: Any, values: Iterable[Any]) -> None:
    """ws.append(values), with every formula-like text written as a plain string cell."""
    ws.append([text_cell(ws, v) if is_formula_like(v) else v for v in values])
