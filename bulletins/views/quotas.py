"""报送任务: progress per unit and 信息员 this week and month, the quota settings, the adoption ranking."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from bulletins import defaults, selectors
from bulletins.forms import QuotaForm
from bulletins.roles import EDIT_ROLES
from bulletins.services import quotas
from bulletins.views.common import user_of
from orgs import spreadsheets
from orgs.access import get_for_user, holds, require_tree, scope_q
from orgs.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_tree(user)
    today = timezone.localdate()
    units = quotas.info_units(scope_q(user, "path"))
    rows = quotas.unit_progress(units, today)
    behind = request.GET.get("behind") == "1"
    if behind:
        rows = [r for r in rows if r.behind]
    return render(
        request,
        "bulletins/progress.html",
        {
            "rows": rows,
            "behind": behind,
            "week_start": quotas.week_start(today),
            "month": today.strftime("%Y年%m月"),
            "can_set": holds(user, EDIT_ROLES),
            "source": defaults.SOURCE_QUOTA,
        },
    )


@login_required
@require_POST
def quota_set(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_tree(user)
    if not holds(user, EDIT_ROLES):
        raise PermissionDenied("只有编辑或组织部管理员可以设置报送任务")
    form = QuotaForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写0以上的整数篇数")
        return redirect("bulletins:progress")
    org = get_for_user(Organization.objects.all(), user, form.cleaned_data["org"])
    try:
        quotas.set_quota(
            actor=user,
            org=org,
            per_person_week=form.cleaned_data["per_person_week"],
            per_unit_month=form.cleaned_data["per_unit_month"],
        )
        messages.success(request, f"已设置{org.name}的报送任务")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:progress")


def _ranking_year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    year_text = request.GET.get("year", "")
    return int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= this_year + 1 else this_year


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    """The year's ranking as .xlsx, the sheet the annual 信息工作考核 starts from (the units the user reads)."""
    user = user_of(request)
    require_tree(user)
    year = _ranking_year(request)
    data = ranking_workbook(selectors.adoption_ranking(user, year), year)
    response = HttpResponse(data, content_type=XLSX)
    name = quote(f"{year}年度信息采用排名.xlsx")
    response["Content-Disposition"] = f"attachment; filename=\"ranking-{year}.xlsx\"; filename*=UTF-8''{name}"
    return response


def ranking_workbook(rows: list[dict[str, Any]], year: int) -> bytes:
    wb = Workbook(write_only=True)
    title = f"{year}年度信息工作考核：各单位信息报送与采用情况"
    ws = wb.create_sheet(f"{year}年度")
    spreadsheets.append(ws, [title])
    spreadsheets.append(
        ws, ["名次", "单位", "报送", "采用", "其中全文", "其中简讯综合", "推荐上级", "采用率"]
    )
    for i, r in enumerate(rows, 1):
        brief = r["adopted"] - r["full"] - r["recommended"]
        rate = f"{r['adopted'] / r['submitted']:.0%}" if r["submitted"] else "—"
        spreadsheets.append(
            ws, [i, r["org__name"], r["submitted"], r["adopted"], r["full"], brief, r["recommended"], rate]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """各单位信息采用排名 (feeds the annual 信息工作考核)."""
    user = user_of(request)
    require_tree(user)
    this_year = timezone.localdate().year
    year = _ranking_year(request)
    return render(
        request,
        "bulletins/ranking.html",
        {
            "rows": selectors.adoption_ranking(user, year),
            "year": year,
            "years": range(this_year, this_year - 5, -1),
        },
    )
