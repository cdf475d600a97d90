"""The interview (约谈) and commendation (表扬) lists as .xlsx bytes; only masked personal data."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from orgs import spreadsheets
from points.models import Interview

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    spreadsheets.append(ws, [title])
    spreadsheets.append(ws, headers)
    for row in rows:
        spreadsheets.append(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def interview_list(members: Any, year: int, pass_mark: Decimal) -> bytes:
    """The below-pass queryset, streamed in chunks with its organizations and the 约谈 flag."""
    done = set(Interview.objects.filter(year=year).values_list("member_id", flat=True))
    rows = (
        [i, m.name, m.org.name, float(m.total), "是" if m.pk in done else "否", "取消"]
        for i, m in enumerate(members.prefetch_related("org").iterator(chunk_size=2000), 1)
    )
    headers = ["序号", "姓名", "所在党组织", "年度积分", "是否已约谈", "评优评先资格"]
    return _book(f"{year}年度学习积分约谈名单（低于{pass_mark}分）", headers, rows)


def commendation_list(rows: list[tuple[Any, str]], year: int) -> bytes:
    headers = ["序号", "姓名", "所在党组织", "年度积分", "表扬事由"]
    out = ([i, m.name, m.org.name, float(m.total), reason] for i, (m, reason) in enumerate(rows, 1))
    return _book(f"{year}年度学习积分表扬名单", headers, out)
