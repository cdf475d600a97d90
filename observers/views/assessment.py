"""年度考核 and 津贴 pages: the evidence and proposed grade per observer, the committee's confirmation or
override, the allowance list per 党(工)委 with totals and its .xlsx export, and the commended observers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from observers.models import AnnualAssessment, Observer
from observers.selectors import root_for
from observers.services import assessment as svc
from observers.views.common import user_of
from orglife.periods import local_today
from orgs.access import can_write_anywhere, get_for_user
from orgs.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ConfirmForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    grade = forms.ChoiceField(choices=AnnualAssessment.Grade.choices, label="考核等次")
    note = forms.CharField(required=False, max_length=1000, label="考核意见")


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else svc.default_year()


def _root(request: HttpRequest, *, write: bool = False) -> Organization:
    org_id = request.GET.get("org") or request.POST.get("org")
    return root_for(user_of(request), org_id, write=write)


def _back(root: Organization, year: int) -> str:
    return f"{reverse('observers:assessment_list')}?org={root.pk}&year={year}"


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    year = _year(request)
    rows = svc.proposals(root, year)
    context: dict[str, Any] = {
        "root": root,
        "year": year,
        "rows": rows,
        "grades": AnnualAssessment.Grade.choices,
        "can_write": can_write_anywhere(request.user),
        "years": range(local_today().year, local_today().year - 4, -1),
        "pending": sum(1 for r in rows if r.assessment is None),
    }
    return render(request, "observers/assessment/list.html", context)


@login_required
@require_POST
def assessment_confirm(request: HttpRequest, observer_pk: int) -> HttpResponse:
    observer = get_for_user(
        Observer.objects.select_related("committee", "member"), request.user, observer_pk, write=True
    )
    form = ConfirmForm(request.POST)
    year = _year(request)
    root_pk = request.POST.get("org") or observer.committee_id
    if not form.is_valid():
        messages.error(request, "请选择考核等次")
    else:
        try:
            a = svc.confirm_assessment(
                actor=user_of(request),
                observer=observer,
                year=form.cleaned_data["year"],
                grade=form.cleaned_data["grade"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, f"{observer.member.name}：{'；'.join(exc.messages)}")
        else:
            messages.success(
                request, f"已确定 {observer.member.name} {a.year} 年度考核等次：{a.get_grade_display()}"
            )
    return redirect(f"{reverse('observers:assessment_list')}?org={root_pk}&year={year}")


@login_required
@require_POST
def assessment_confirm_all(request: HttpRequest) -> HttpResponse:
    root = _root(request, write=True)
    year = _year(request)
    try:
        count = svc.confirm_proposed(actor=user_of(request), root=root, year=year)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已按建议等次确定 {count} 名观察员的考核结果")
    return redirect(_back(root, year))


@login_required
def allowance(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    year = _year(request)
    rows, total = svc.allowance_rows(root, year, user_of(request))
    context = {
        "root": root,
        "year": year,
        "rows": rows,
        "total": total,
        "commended": svc.commended(root, year, user_of(request)),
        "years": range(local_today().year, local_today().year - 4, -1),
    }
    return render(request, "observers/assessment/allowance.html", context)


@login_required
def allowance_export(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    year = _year(request)
    data = svc.export_allowance(actor=user_of(request), root=root, year=year)
    response = HttpResponse(data, content_type=XLSX)
    name = f"观察员津贴_{year}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


urlpatterns: list = [
    path("", assessment_list, name="assessment_list"),
    path("<int:observer_pk>/confirm/", assessment_confirm, name="assessment_confirm"),
    path("confirm-all/", assessment_confirm_all, name="assessment_confirm_all"),
    path("allowance/", allowance, name="assessment_allowance"),
    path("allowance/export/", allowance_export, name="assessment_allowance_export"),
]
