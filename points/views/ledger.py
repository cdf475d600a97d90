"""The ledger, one member's file (page and PDF), the annual ranking, the interview and commendation
lists with their .xlsx exports, and weekly statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import get_for_user, has_any_scope, holds, own_member_id
from orgs.forms import add_service_errors
from orgs.models import Member
from orgs.paths import under_path_q
from points import exports, pdf, selectors, services
from points.forms import InterviewForm, ReasonForm, YearForm
from points.models import LedgerEntry, WeeklyStat
from points.roles import PUBLISH_ROLES, RECORD_ROLES
from points.views.common import (
    focus_org,
    members_in_scope,
    page_of,
    require_points_user,
    require_staff,
    top_org,
    user_of,
)


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    form = YearForm(request.GET or None)
    return form, form.selected_year()


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """Ledger entries in scope (a member: their own), newest first, with caps and reversals shown."""
    require_points_user(request)
    user = user_of(request)
    form, year = _year(request)
    qs = (
        LedgerEntry.objects.visible_to(user)
        .in_year(year)
        .select_related("member", "rule", "rule__block", "rule__version")
    )
    if not has_any_scope(user):
        qs = qs.filter(member_id=own_member_id(user) or 0)
    org = focus_org(request) if has_any_scope(user) else None
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if request.GET.get("capped"):
        qs = qs.exclude(capped_reason="")
    context = {"page": page_of(request, qs), "form": form, "year": year, "org": org}
    return render(request, "points/ledger.html", context)


@require_POST
@login_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_user(LedgerEntry.objects.select_related("org"), request.user, pk, write=True)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写更正原因")
        services.correct_entry(actor=user_of(request), entry=entry, reason=form.cleaned_data["reason"])
        messages.success(request, "已写入冲正分录")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:member_file", pk=entry.member_id)


@login_required
def member_file(request: HttpRequest, pk: int) -> HttpResponse:
    """一人一档."""
    member = selectors.get_member_for_user(request.user, pk)
    form, year = _year(request)
    file = selectors.member_file(member, year)
    context = {
        "file": file,
        "form": form,
        "member": member,
        "can_correct": holds(request.user, RECORD_ROLES, member.org.path),
        "can_interview": file.below_pass
        and not file.interview
        and holds(request.user, PUBLISH_ROLES, member.org.path),
        "reason_form": ReasonForm(),
        "interview_form": InterviewForm(),
    }
    return render(request, "points/member_file.html", context)


@login_required
def member_file_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk)
    _, year = _year(request)
    try:
        content = pdf.member_file_pdf(selectors.member_file(member, year))
    except pdf.FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="member-{member.pk}-{year}.pdf"'
    return response


@login_required
def interview_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member.objects.select_related("org"), request.user, pk, write=True)
    _, year = _year(request)
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_interview(actor=user_of(request), member=member, year=year, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已记录约谈")
            return redirect(f"/points/interviews/?year={year}")
    return render(request, "points/interview_form.html", {"form": form, "member": member, "year": year})


def _list_context(request: HttpRequest) -> dict[str, Any]:
    require_staff(request)
    form, year = _year(request)
    org = focus_org(request)
    limits = selectors.thresholds(top_org(request, org), dt.date(year, 12, 31))
    return {
        "form": form,
        "year": year,
        "org": org,
        "limits": limits,
        "members": members_in_scope(request, org),
    }


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """年度积分排名, with each member's blocks for the page shown."""
    ctx = _list_context(request)
    # The page's organizations come from the join the scope filter already makes, and each member's blocks
    # from the yearly balance row the total is read from (no queries of their own).
    qs = selectors.with_year_blocks(
        selectors.annual_totals(ctx["members"], ctx["year"])
        .select_related("org")
        .only("id", "name", "org_id", "org__name", "org__short_name")
    )
    page = page_of(request, qs)
    blocks = {m.pk: selectors.block_points(m.year_blocks) for m in page.object_list}  # type: ignore[attr-defined]
    # The blocks of the version the thresholds come from (same organization, same year end).
    version = ctx["limits"].version
    block_defs = list(version.blocks.all()) if version is not None else []
    start = (page.number - 1) * page.paginator.per_page
    pass_mark = ctx["limits"].pass_mark
    rows = [
        (
            start + i,
            m,
            [blocks.get(m.pk, {}).get(b.code, 0) for b in block_defs],
            selectors.is_below_pass(m.total, pass_mark),  # type: ignore[attr-defined]
        )
        for i, m in enumerate(page.object_list, 1)
    ]
    return render(
        request, "points/ranking.html", {**ctx, "page": page, "rows": rows, "block_defs": block_defs}
    )


@login_required
def interviews(request: HttpRequest) -> HttpResponse:
    """约谈名单: annual total below the pass mark; ineligible for 评优评先 that year."""
    ctx = _list_context(request)
    qs = selectors.below_pass(ctx["members"].select_related("org"), ctx["year"], ctx["limits"].pass_mark)  # type: ignore[attr-defined]
    if request.GET.get("format") == "xlsx":
        return _export(
            request, "interviews", exports.interview_list(qs, ctx["year"], ctx["limits"].pass_mark)
        )  # type: ignore[attr-defined]
    can_write = holds(request.user, PUBLISH_ROLES)
    return render(
        request, "points/interviews.html", {**ctx, "page": page_of(request, qs), "can_write": can_write}
    )


@login_required
def commendations(request: HttpRequest) -> HttpResponse:
    """表扬名单: the top scorers and members published in important journals."""
    ctx = _list_context(request)
    limits = ctx["limits"]
    rows = selectors.commendations(
        ctx["members"].select_related("org"),
        ctx["year"],
        top=limits.commendation_top,
        pass_mark=limits.pass_mark,
    )
    if request.GET.get("format") == "xlsx":
        return _export(request, "commendations", exports.commendation_list(rows, ctx["year"]))  # type: ignore[arg-type]
    return render(request, "points/commendations.html", {**ctx, "rows": rows})


def _export(request: HttpRequest, kind: str, content: bytes) -> HttpResponse:
    record_event(
        actor=user_of(request),
        action=AuditEvent.Action.EXPORT,
        target_repr=f"积分{kind}导出",
        summary={"query": request.GET.urlencode()[:200]},
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="points-{kind}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@login_required
def weekly(request: HttpRequest) -> HttpResponse:
    """每周统计: the Monday job's stored weeks plus the weeks since, as a table and an ECharts chart."""
    require_staff(request)
    form, year = _year(request)
    org = focus_org(request)
    user = user_of(request)
    qs = LedgerEntry.objects.visible_to(user)
    stats = WeeklyStat.objects.visible_to(user)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
        stats = stats.filter(under_path_q(org.path, "org__path"))
    weekly = selectors.weekly_stats(qs, year, stats)
    context = {
        "form": form,
        "year": year,
        "org": org,
        "weeks": weekly.weeks,
        "weekly": weekly,
        "chart_data": weekly.chart(),
    }
    return render(request, "points/weekly.html", context)
