"""Observation pages: the observer's phone pages (我的支部, 近期会议, sign-up, the evaluation form, a record of an
assigned branch), the committee's half-year coverage page, and the branch's list of observations with its
rating of the observer. Parse, check access, call observers.services.observe, respond.

An observer reaches only branches assigned to them in a confirmed plan: anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from observers.forms import EvaluationForm, RatingForm, SignUpForm
from observers.models import Observation, Observer
from observers.selectors import observer_for, root_for
from observers.services import coverage as coverage_svc
from observers.services import observe as svc
from observers.services import ratings
from observers.views.common import user_of
from orglife.periods import add_months, local_today
from orgs.access import get_for_user, require_tree
from orgs.forms import add_service_errors
from orgs.models import Organization


def _observer(request: HttpRequest) -> Observer:
    return observer_for(user_of(request))


def _my_observation(request: HttpRequest, observer: Observer, pk: int) -> Observation:
    qs = Observation.objects.filter(observer=observer).select_related("branch", "plan_item", "record")
    return get_object_or_404(qs, pk=pk)


def _half(request: HttpRequest) -> Any:
    try:
        year, month = request.GET["half"].split("-")
        return svc.half_start(dt.date(int(year), int(month), 1))
    except (KeyError, ValueError):
        return svc.half_start()


# ---------------------------------------------------------------- the observer's pages


@login_required
def my_branches(request: HttpRequest) -> HttpResponse:
    observer = _observer(request)
    start = svc.half_start()
    rows = svc.my_branches(observer, start)
    context = {
        "observer": observer,
        "rows": rows,
        "period": svc.half_period(start),
        "unobserved": sum(1 for r in rows if not r.observed),
        "upcoming": svc.upcoming_meetings(observer)[:5],
    }
    return render(request, "observers/observe/my_branches.html", context)


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    observer = _observer(request)
    items = svc.upcoming_meetings(observer)
    branch = request.GET.get("branch", "")
    if branch.isdigit():
        items = items.filter(plan__org_id=int(branch))
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(
        request, "observers/observe/meetings.html", {"observer": observer, "page": page, "form": SignUpForm()}
    )


@login_required
@require_POST
def sign_up(request: HttpRequest, item_pk: int) -> HttpResponse:
    observer = _observer(request)
    allowed = svc.upcoming_items_qs(svc.assigned_branch_ids(observer, svc.half_start()), local_today())
    item = get_object_or_404(allowed.select_related("plan__org"), pk=item_pk)
    form = SignUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择观察方式")
        return redirect("observers:observe_meetings")
    try:
        observation = svc.sign_up(
            actor=user_of(request), observer=observer, plan_item=item, kind=form.cleaned_data["kind"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("observers:observe_meetings")
    messages.success(
        request,
        f"已报名列席：{item.plan.org.display_name} {item.planned_on:%m月%d日} {item.get_meeting_type_display()}",
    )
    return redirect("observers:observe_detail", pk=observation.pk)


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    observer = _observer(request)
    qs = (
        Observation.objects.filter(observer=observer).select_related("branch").order_by("-observed_on", "-id")
    )
    state = request.GET.get("state", "")
    if state in Observation.Status.values:
        qs = qs.filter(status=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "observers/observe/observation_list.html",
        {"observer": observer, "page": page, "state": state},
    )


def _form(observation: Observation, data: Any = None) -> EvaluationForm:
    initial: dict[str, Any] = {}
    default = svc.default_record(observation)
    if default is not None:
        initial["record"] = default.pk
    return EvaluationForm(
        data, items=svc.active_items(), records=svc.candidate_records(observation), initial=initial
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The observation and, until it is submitted, the 评价表 (GET shows it, POST submits it)."""
    observer = _observer(request)
    observation = _my_observation(request, observer, pk)
    form = None
    if observation.status == Observation.Status.SIGNED_UP:
        form = _form(observation, request.POST or None)
        if request.method == "POST":
            svc.require_acting_observer(user_of(request), observer)  # a suspended observer gets 403
            if form.is_valid():
                cd = form.cleaned_data
                data = svc.EvaluationData(
                    scores=form.scores(),
                    grade=cd["grade"],
                    problems=cd["problems"],
                    finding=cd["finding"],
                    finding_note=cd["finding_note"],
                    record=cd["record"],
                    deadline=cd["deadline"],
                )
                try:
                    svc.submit_evaluation(actor=user_of(request), observation=observation, data=data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, "评价表已提交")
                    return redirect("observers:observe_detail", pk=observation.pk)
    elif request.method == "POST":
        raise PermissionDenied("该观察已提交评价或已取消")
    items = {str(i.pk): i for i in svc.active_items()}
    scored = [(items.get(k), v) for k, v in (observation.scores or {}).items()]
    context = {
        "observer": observer,
        "observation": observation,
        "form": form,
        "scored": scored,
        "can_evaluate": observation.observed_on <= local_today(),
        "rating": getattr(observation, "branch_rating", None),
    }
    return render(request, "observers/observe/observation_detail.html", context)


@login_required
@require_POST
def observation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    observer = _observer(request)
    observation = _my_observation(request, observer, pk)
    try:
        svc.cancel_sign_up(actor=user_of(request), observation=observation)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("observers:observe_detail", pk=pk)
    messages.success(request, "已取消报名")
    return redirect("observers:observe_list")


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting record of an assigned branch, read-only (another branch's record: 404)."""
    observer = _observer(request)
    record = get_object_or_404(svc.observer_records(observer).select_related("org", "group"), pk=pk)
    attendance = record.attendance.aggregate(
        present=Count("id", filter=Q(status="present")), due=Count("id", filter=~Q(status="exempt"))
    )
    photos = record.attachments.filter(kind="photo").count()
    return render(
        request,
        "observers/observe/record_detail.html",
        {"record": record, "attendance": attendance, "photos": photos},
    )


# ---------------------------------------------------------------- the committee's coverage page


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Per 党(工)委: branches with/without an observation this half-year; per observer: progress."""
    root = root_for(user_of(request), request.GET.get("org"))
    start = _half(request)
    coverage = coverage_svc.coverage_of(root, start)
    committees = coverage.committees
    chosen = root
    pick = request.GET.get("committee", "")
    if pick.isdigit():
        chosen = get_for_user(Organization.objects.all(), request.user, pick)
    paginator = Paginator(coverage_svc.unobserved_branches(chosen, start).select_related("parent"), 50)
    # The unobserved branches of the root or of a listed committee were just counted: no second COUNT.
    known = {root.pk: coverage.unobserved} | {c.committee.pk: c.unobserved for c in committees}
    if chosen.pk in known:
        paginator.count = known[chosen.pk]  # type: ignore[misc]  # Paginator.count is a cached_property
    unobserved = paginator.get_page(request.GET.get("page"))
    context = {
        "root": root,
        "period": svc.half_period(start),
        "committees": committees,
        "chosen": chosen,
        "unobserved": unobserved,
        "progress": coverage_svc.observer_progress(root, start),
        "total": sum(c.branches for c in committees),
        "observed": sum(c.observed for c in committees),
        "unobserved_total": sum(c.unobserved for c in committees),
        "prev_half": add_months(start, -6),
        "next_half": add_months(start, 6),
    }
    return render(request, "observers/observe/coverage.html", context)


# ---------------------------------------------------------------- the branch side: observations and ratings


@login_required
def branch_observations(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    qs = (
        Observation.objects.visible_to(user_of(request))
        .exclude(status=Observation.Status.CANCELLED)
        .select_related("branch", "observer__member", "branch_rating")
        .order_by("-observed_on", "-id")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "observers/observe/branch_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def branch_observation(request: HttpRequest, pk: int) -> HttpResponse:
    """An observation seen from the branch (and above); the branch secretary rates the observer here."""
    qs = Observation.objects.select_related("branch", "observer__member", "record", "rectification")
    observation = get_for_user(qs, request.user, pk, write=request.method == "POST")
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if not ratings.can_rate(user_of(request), observation):
            raise PermissionDenied("只有该支部书记或支部管理员可以评价观察员")
        if form.is_valid():
            try:
                ratings.rate_observer(actor=user_of(request), observation=observation, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已评价观察员")
                return redirect("observers:observe_branch_detail", pk=pk)
    items = {str(i.pk): i for i in svc.active_items()}
    context = {
        "observation": observation,
        "form": form,
        "scored": [(items.get(k), v) for k, v in (observation.scores or {}).items()],
        "rating": getattr(observation, "branch_rating", None),
        "can_rate": observation.status == Observation.Status.SUBMITTED
        and ratings.can_rate(user_of(request), observation),
    }
    return render(request, "observers/observe/branch_detail.html", context)


urlpatterns: list = [
    path("", my_branches, name="observe_branches"),
    path("meetings/", meetings, name="observe_meetings"),
    path("meetings/<int:item_pk>/signup/", sign_up, name="observe_signup"),
    path("observations/", observation_list, name="observe_list"),
    path("observations/<int:pk>/", observation_detail, name="observe_detail"),
    path("observations/<int:pk>/cancel/", observation_cancel, name="observe_cancel"),
    path("records/<int:pk>/", record_detail, name="observe_record"),
    path("coverage/", coverage, name="observe_coverage"),
    path("branch/", branch_observations, name="observe_branch_list"),
    path("branch/<int:pk>/", branch_observation, name="observe_branch_detail"),
]
