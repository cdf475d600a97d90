"""学时 accounts: the scope's list against the requirements (with the shortfall filter and export), and one
member's account with its lines, the offline-study form and the L-07 exemption."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from learning import services
from learning.conversions import current_conversion
from learning.defaults import SOURCES, rules
from learning.forms import ExemptionForm, OfflineForm
from learning.models import StudyEntry
from learning.selectors import account_lines, account_rows, candidate_rows, node_summary
from learning.selectors.accounts import member_for
from learning.views.common import XLSX, focus_org, page_of, xlsx, year_of
from orgs.access import covers, get_for_user, has_any_scope, own_member_id, require_tree
from orgs.forms import add_service_errors
from orgs.models import Member, Organization
from orgs.paths import under_path_q


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if has_any_scope(request.user):
        return redirect("learning:hours")
    member_id = own_member_id(request.user)
    if member_id:
        return redirect("learning:member", member_id)
    raise Http404("未找到页面")


@login_required
def hours(request: HttpRequest) -> HttpResponse:
    org = focus_org(request)
    year = year_of(request)
    q = (request.GET.get("q") or "").strip()
    only = request.GET.get("only") or ""
    members = Member.objects.filter(under_path_q(org.path, "org__path")).active().order_by("org__path", "pk")
    if q:
        members = members.filter(name__contains=q)
    rows = account_rows(members, year)
    summary = node_summary(org, rows) if not q else []
    if only == "short":
        rows = [r for r in rows if not r.met]
    if request.GET.get("format") == "xlsx" and only == "candidates":
        return _candidates_export(org)
    if request.GET.get("format") == "xlsx":
        title = f"{org.display_name}{year}年度党员学时{'未达标' if only == 'short' else ''}名单"
        body = xlsx(
            title,
            ["序号", "姓名", "所在党组织", "要求学时", "已完成学时", "其中组织生活学时", "差额", "备注"],
            (
                [
                    i,
                    r.member.name,
                    r.member.org.name,
                    "免除" if r.requirement is None else float(r.requirement),
                    float(r.hours),
                    float(r.from_orglife),
                    float(r.gap),
                    r.exemption or ("书记/班子成员" if r.leader else ""),
                ]
                for i, r in enumerate(rows, 1)
            ),
        )
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
        return response
    context = {
        "org": org,
        "year": year,
        "q": q,
        "only": only,
        "page": page_of(request, rows),
        "summary": summary,
        "candidates": candidate_rows(org) if not q else [],
        "rules": rules(),
        "sources": SOURCES,
        "conversion": current_conversion(timezone.localdate()),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    }
    return render(request, "learning/hours.html", context)


def _candidates_export(org: Organization) -> HttpResponse:
    title = f"{org.display_name}发展对象集中培训学时（L-05）"
    body = xlsx(
        title,
        ["序号", "姓名", "所在党组织", "确定为发展对象日期", "培训天数", "培训学时", "要求", "是否达标"],
        (
            [
                i,
                c.candidate.name,
                c.candidate.org_name,
                f"{c.candidate.since:%Y-%m-%d}" if c.candidate.since else "",
                float(c.candidate.training_days or 0),
                float(c.hours),
                f"不少于{c.days_required}天或{c.requirement}学时",
                "是" if c.met else "否",
            ]
            for i, c in enumerate(candidate_rows(org), 1)
        ),
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response


def _member_for(request: HttpRequest, pk: int) -> Member:
    return member_for(request.user, pk)


@login_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    m = _member_for(request, pk)
    year = year_of(request)
    (row,) = account_rows(Member.objects.filter(pk=m.pk), year)
    can_write = covers(request.user, m.org.path, write=True)
    context = {
        "member": m,
        "year": year,
        "row": row,
        "lines": account_lines(m, year),
        "can_write": can_write,
        "offline_form": OfflineForm(initial={"studied_on": timezone.localdate()}) if can_write else None,
        "exemption_form": ExemptionForm(initial={"reason": row.exemption}) if can_write else None,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "sources": SOURCES,
    }
    return render(request, "learning/member.html", context)


def _writable_member(request: HttpRequest, pk: int) -> Member:
    require_tree(request.user)
    return get_for_user(Member.objects.select_related("org"), request.user, pk, write=True)


@login_required
@require_POST
def offline_add(request: HttpRequest, pk: int) -> HttpResponse:
    m = _writable_member(request, pk)
    form = OfflineForm(request.POST)
    if form.is_valid():
        try:
            services.add_offline_hours(
                actor=request.user,
                member=m,
                studied_on=form.cleaned_data["studied_on"],
                hours=form.cleaned_data["hours"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        for e in form.errors.values():
            messages.error(request, "；".join(str(x) for x in e))
    else:
        messages.success(request, "已登记学时")
    day = form.cleaned_data.get("studied_on") if form.is_valid() else None
    year = day.year if day else year_of(request)
    return redirect(f"{reverse('learning:member', args=[m.pk])}?year={year}")


@login_required
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    entry = get_for_user(StudyEntry.objects.select_related("member__org"), request.user, pk, write=True)
    try:
        services.remove_entry(actor=request.user, entry=entry)
        messages.success(request, "已删除该条学时")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('learning:member', args=[entry.member_id])}?year={entry.year}")


@login_required
@require_POST
def exemption(request: HttpRequest, pk: int) -> HttpResponse:
    m = _writable_member(request, pk)
    year = year_of(request)
    form = ExemptionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("表单无效")
    try:
        if form.cleaned_data["clear"]:
            services.clear_exemption(actor=request.user, member=m, year=year)
            messages.success(request, f"已取消 {year} 年度学时免除")
        else:
            services.set_exemption(
                actor=request.user, member=m, year=year, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"已登记 {year} 年度学时免除")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('learning:member', args=[m.pk])}?year={year}")
