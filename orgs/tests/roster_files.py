"""Build roster .xlsx files in memory for the roster tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from orgs.services import roster
from personal import idcard

HEADERS = [c.header for c in roster.COLUMNS]


def person(seq: int, **cells: Any) -> dict[str, Any]:
    """One valid row for 县财政局机关党支部 (B0001); keyword cells override columns by header."""
    birth = cells.pop("birth", dt.date(1990, 3, 8))
    row = {
        "姓名": f"陈晓{seq}",
        "民族": "汉族",
        "公民身份号码": idcard.make("340102", birth, seq),
        "学历": "大学本科",
        "人员类别": "正式党员",
        "入党日期": "2015-07-01",
        "转正日期": "2016/7/1",
        "所在党组织代码": "B0001",
        "联系电话": f"139{seq:08d}",
        "工作岗位": "科员",
        "党籍状态": "正常",
        "是否免参组织生活": "否",
    }
    row.update(cells)
    return row


def xlsx(rows: list[dict[str, Any]], headers: list[str] | None = None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    headers = headers or HEADERS
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out
