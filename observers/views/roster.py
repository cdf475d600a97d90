"""观察员信息台账 pages: the roster with its flags and committee summary, one observer's entry, the export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from observers.filters import ObserverFilter
from observers.forms import StatusForm, TrainingForm, YearForm
from observers.models import Observer
from observers.selectors import visible_committees
from observers.services import roster
from observers.views.common import page_of, user_of
from orgs.access import covers, get_for_user, require_tree
from orgs.forms import add_service_errors, style_filter_form


def _filtered(request: HttpRequest) -> ObserverFilter:
    base = Observer.objects.visible_to(user_of(request)).select_related("member", "member__org", "committee")
    filterset = ObserverFilter(request.GET, queryset=base)
    style_filter_form(filterset.form)
    return filterset


@login_required
def observer_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    year = timezone.localdate().year
    filterset = _filtered(request)
    qs = roster.with_flags(filterset.qs, year).order_by("committee__path", "letter_number")
    context = {
        "filter": filterset,
        "page": page_of(request, qs),
        "year": year,
        "summary": roster.committee_summary(Observer.objects.visible_to(user_of(request)), year),
        "committees": visible_committees(user_of(request)).order_by("path"),
        "can_export": request.user.has_perm("orgs.export_member"),
    }
    return render(request, "observers/roster/observer_list.html", context)


@login_required
def observer_export(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    if not request.user.has_perm("orgs.export_member"):
        raise PermissionDenied("您没有导出人员名册的权限")
    filterset = _filtered(request)
    filters = {k: v for k, v in request.GET.items() if v}
    content = roster.export_roster(user=user_of(request), queryset=filterset.qs, filters=filters)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(roster.export_file_name())}"
    return response


def _observer(request: HttpRequest, pk: int, *, write: bool = False) -> Observer:
    qs = Observer.objects.select_related("member", "member__org", "committee", "user", "candidate")
    return get_for_user(qs, request.user, pk, write=write)


def _detail(request: HttpRequest, observer: Observer, *, status: int = 200, **forms: Any) -> HttpResponse:
    year = timezone.localdate().year
    trainings = list(observer.trainings.all())
    context = {
        "o": observer,
        "year": year,
        "trainings": trainings,
        "trained": any(t.held_on.year == year for t in trainings),
        "can_write": covers(request.user, observer.committee.path, write=True),
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": observer.status, "note": observer.status_note}),
        "training_form": forms.get("training_form")
        or TrainingForm(initial={"held_on": timezone.localdate()}),
    }
    return render(request, "observers/roster/observer_detail.html", context, status=status)


@login_required
def observer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _observer(request, pk))


@login_required
@require_POST
def observer_status(request: HttpRequest, pk: int) -> HttpResponse:
    observer = _observer(request, pk, write=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            roster.change_status(actor=user_of(request), observer=observer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"状态已更新为“{observer.get_status_display()}”")
            return redirect("observers:observer_detail", pk=observer.pk)
    return _detail(request, observer, status_form=form)


@login_required
@require_POST
def observer_training(request: HttpRequest, pk: int) -> HttpResponse:
    observer = _observer(request, pk, write=True)
    form = TrainingForm(request.POST)
    if form.is_valid():
        try:
            roster.add_training(actor=user_of(request), observers=[observer], **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记培训")
            return redirect("observers:observer_detail", pk=observer.pk)
    return _detail(request, observer, training_form=form)


@login_required
@require_POST
def observer_updated(request: HttpRequest, pk: int) -> HttpResponse:
    observer = _observer(request, pk, write=True)
    form = YearForm(request.POST)
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    try:
        roster.mark_updated(actor=user_of(request), observer=observer, year=year)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已完成{year}年度台账更新")
    return redirect("observers:observer_detail", pk=observer.pk)


urlpatterns = [
    path("roster/", observer_list, name="observer_list"),
    path("roster/export/", observer_export, name="observer_export"),
    path("roster/<int:pk>/", observer_detail, name="observer_detail"),
    path("roster/<int:pk>/status/", observer_status, name="observer_status"),
    path("roster/<int:pk>/training/", observer_training, name="observer_training"),
    path("roster/<int:pk>/updated/", observer_updated, name="observer_updated"),
]
