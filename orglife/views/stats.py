"""完成情况 and 台账 pages: parse the node and period, check access, read the selectors, render."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET

from accounts.models import User
from orglife.periods import MONTH, first_of_month, local_today, parse_month
from orglife.rules import LIFE_KINDS
from orglife.selectors import stats
from orglife.services import stats as services_stats
from orgs.access import get_for_user
from orgs.models import Organization


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


ROWS_PER_PAGE = 50  # the table pages; the chart above it shows every row


def parse_period(request: HttpRequest) -> tuple[str, dt.date]:
    kind = request.GET.get("period", MONTH)
    if kind not in dict(stats.PERIOD_CHOICES):
        kind = MONTH
    try:
        month = parse_month(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        month = None
    return kind, month or first_of_month(local_today())


def node_for(request: HttpRequest) -> Organization:
    """The node asked for (inside the user's scope), or the user's scope root."""
    if request.GET.get("org"):
        return get_for_user(Organization.objects.all(), _user(request), request.GET["org"])
    node = stats.default_node(_user(request))
    if node is None:
        raise Http404("未找到页面")
    return node


def record_url(pk: int) -> str | None:
    """The record page of the records module, when it is installed."""
    try:
        return reverse("orglife:record_detail", args=[pk])
    except NoReverseMatch:
        return None


@login_required
@require_GET
def completion(request: HttpRequest) -> HttpResponse:
    node = node_for(request)
    kind, month = parse_period(request)
    period = stats.period_of(kind, month)
    deepest = stats.max_level(node)
    try:
        level = min(max(int(request.GET.get("level", 1)), 1), max(deepest, 1))
    except ValueError:
        level = 1
    data = stats.completion(node, period, level=level)
    records: list[Any] = []
    if node.kind in LIFE_KINDS:
        records = list(stats.period_records(node, period)[:200])
        for r in records:
            r.url = record_url(r.pk)
    page = Paginator(data.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    context = {
        "node": node,
        "page": page,
        "ancestors": node.ancestors().visible_to(_user(request)),
        "data": data,
        "chart_data": data.chart_data(),
        "kind": kind,
        "month": month,
        "period_qs": f"&period={kind}&month={month:%Y-%m}",  # rendered once, not once per row
        "period_choices": stats.PERIOD_CHOICES,
        "levels": range(1, deepest + 1),
        "level": level,
        "records": records,
        "is_branch": node.kind in LIFE_KINDS,
    }
    return render(request, "orglife/stats/completion.html", context)


def _branch_and_year(request: HttpRequest, pk: int, year: int) -> tuple[Organization, int]:
    org = get_for_user(Organization.objects.all(), _user(request), pk)
    if org.kind not in LIFE_KINDS or not 2000 <= year <= 2100:
        raise Http404("台账只对党支部、党总支提供")
    return org, year


@login_required
@require_GET
def ledger(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    org, year = _branch_and_year(request, pk, year)
    data = stats.ledger(org, year)
    for r in data.records:
        r.url = record_url(r.pk)  # type: ignore[attr-defined]
    this_year = local_today().year
    context = {"org": org, "year": year, "data": data, "years": range(this_year, this_year - 5, -1)}
    return render(request, "orglife/stats/ledger.html", context)


@login_required
@require_GET
def ledger_export(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    org, year = _branch_and_year(request, pk, year)
    content = services_stats.export_ledger(actor=_user(request), org=org, year=year)
    response = HttpResponse(content, content_type=services_stats.XLSX_CONTENT_TYPE)
    name = quote(services_stats.ledger_file_name(org, year))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", completion, name="stats_completion"),
    path("ledger/<int:pk>/<int:year>/", ledger, name="stats_ledger"),
    path("ledger/<int:pk>/<int:year>/export.xlsx", ledger_export, name="stats_ledger_export"),
]
