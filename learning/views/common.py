"""Shared by the 学习教育 pages: who sees them, the organization in focus, the year, paging, the .xlsx."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from openpyxl import Workbook

from orgs import spreadsheets
from orgs.access import get_for_user, require_tree
from orgs.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def focus_org(request: HttpRequest) -> Organization:
    """?org= inside the user's scope (404 outside), else the top of the user's scope."""
    require_tree(request.user)
    raw = request.GET.get("org") or request.POST.get("org") or ""
    if raw:
        return get_for_user(Organization.objects.all(), request.user, raw)
    root = Organization.objects.roots_for(request.user).first()
    if root is None:
        raise Http404("未找到页面")
    return root


def year_of(request: HttpRequest) -> int:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this)
    except ValueError:
        return this
    return year if 2000 <= year <= this + 1 else this


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page


def xlsx(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    # A sheet name may not hold : \\ / ? * [ ] and is at most 31 characters; the full title is the first row.
    ws = wb.create_sheet(re.sub(r"[:\\/?*\[\]]", "_", title)[:31] or "Sheet1")
    spreadsheets.append(ws, [title])
    spreadsheets.append(ws, headers)
    for row in rows:
        spreadsheets.append(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
