"""Half-year assignment pages: the plans, a proposal by the planner, its review (coverage, loads, the
observer → branches table), moves and confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from observers.forms import MoveForm, ProposeForm
from observers.models import AssignmentPlan, Observer
from observers.selectors import writable_committees
from observers.services import planner
from observers.views.common import page_of, user_of
from orgs.access import covers, get_for_user, require_tree
from orgs.forms import add_service_errors
from orgs.models import Organization


def _propose_form(request: HttpRequest, data: Any = None) -> ProposeForm | None:
    committees = writable_committees(user_of(request)).order_by("path")
    if not committees.exists():
        return None
    initial = {"half_start": planner.half_start_of(timezone.localdate()).isoformat()}
    return ProposeForm(data, committees=committees, initial=initial)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    plans = AssignmentPlan.objects.visible_to(user_of(request)).select_related("committee", "confirmed_by")
    context = {"page": page_of(request, plans), "form": _propose_form(request)}
    return render(request, "observers/planner/plan_list.html", context)


@login_required
@require_POST
def plan_propose(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    if request.POST.get("committee", "").isdigit():  # a committee outside the user's tree: 404, as everywhere
        get_for_user(Organization.objects.all(), request.user, request.POST["committee"])
    form = _propose_form(request, request.POST)
    if form is None:
        raise PermissionDenied("您没有制定观察员分配方案的权限")
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = planner.propose_plan(
                actor=user_of(request),
                scope=data["committee"],
                half_start=data["half_start"],
                seed=data["seed"],
                cross_pairs=data["cross_pairs"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已生成分配方案，请核对覆盖情况和工作量后确认")
            return redirect("observers:plan_detail", pk=plan.pk)
    plans = AssignmentPlan.objects.visible_to(user_of(request)).select_related("committee", "confirmed_by")
    return render(
        request, "observers/planner/plan_list.html", {"page": page_of(request, plans), "form": form}
    )


def _plan(request: HttpRequest, pk: int, *, write: bool = False) -> AssignmentPlan:
    qs = AssignmentPlan.objects.select_related("committee", "created_by", "confirmed_by")
    return get_for_user(qs, request.user, pk, write=write)


def _move_observers(plan: AssignmentPlan) -> Any:
    return (
        planner.scope_observers(plan.committee)
        .select_related("member", "committee")
        .order_by("committee__path", "letter_number")
    )


def _detail(request: HttpRequest, plan: AssignmentPlan, *, status: int = 200, **forms: Any) -> HttpResponse:
    summary = planner.summarize(plan)
    can_write = covers(request.user, plan.committee.path, write=True)
    pair_ids = [i for pair in plan.cross_pairs for i in pair]
    names = dict(Organization.objects.filter(pk__in=pair_ids).values_list("id", "name"))
    context = {
        "plan": plan,
        "summary": summary,
        "half": planner.half_label(plan.half_start),
        "pairs": [(names.get(a, a), names.get(b, b)) for a, b in plan.cross_pairs],
        "can_write": can_write,
        "move_form": forms.get("move_form")
        or (MoveForm(observers=_move_observers(plan)) if can_write else None),
        "branches": planner.scope_branches(plan.committee).only("id", "name", "short_name").order_by("path"),
    }
    return render(request, "observers/planner/plan_detail.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _plan(request, pk))


@login_required
@require_POST
def plan_move(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    form = MoveForm(request.POST, observers=_move_observers(plan))
    if form.is_valid():
        branch = get_for_user(Organization.objects.all(), request.user, form.cleaned_data["branch"])
        observer: Observer = form.cleaned_data["observer"]
        try:
            planner.move_branch(actor=user_of(request), plan=plan, branch=branch, observer=observer)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已将{branch.display_name}调整给{observer.member.name}")
            return redirect("observers:plan_detail", pk=plan.pk)
    return _detail(request, plan, move_form=form)


@login_required
@require_POST
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    try:
        planner.confirm_plan(actor=user_of(request), plan=plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "分配方案已确认，观察员可在“我的支部”中看到分配的党支部")
    return redirect("observers:plan_detail", pk=plan.pk)


urlpatterns = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/propose/", plan_propose, name="plan_propose"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/move/", plan_move, name="plan_move"),
    path("plans/<int:pk>/confirm/", plan_confirm, name="plan_confirm"),
]
