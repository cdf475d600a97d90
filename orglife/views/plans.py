"""Monthly plan pages: a branch's plans with next month's 提示单, the form, review, and the status board."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from orglife.filters.plans import BoardFilter
from orglife.forms.plans import PREFIX, ReturnForm, blank_item_form, item_formset
from orglife.models import MonthlyPlan
from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.rules import LIFE_KINDS, groups_of, rulesets_for
from orglife.selectors import plans as sel
from orglife.services import plans as svc
from orgs.access import NOT_FOUND, covers, get_for_user, require_tree
from orgs.forms import style_filter_form
from orgs.models import Organization
from orgs.pagination import paginate


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _month(request: HttpRequest, default: dt.date) -> dt.date:
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        return default


def _next_month() -> dt.date:
    return add_months(first_of_month(local_today()), 1)


def _page(request: HttpRequest, items: Any) -> Any:
    return paginate(items, settings.PAGE_SIZE, request.GET.get("page"))


def countdown(window: svc.Window, now: dt.datetime) -> dict[str, Any]:
    """The deadline as the branch page shows it."""
    state = window.state(now)
    left = window.deadline - now
    if state == "open":
        days, rest = divmod(int(left.total_seconds()), 86400)
        text = (
            f"距截止还有 {days} 天 {rest // 3600} 小时"
            if days
            else f"距截止仅剩 {rest // 3600} 小时 {rest % 3600 // 60} 分"
        )
        style = "success" if days >= 3 else "warning"
    elif state == "not_open":
        text, style = f"{timezone.localtime(window.opens):%m月%d日}起可报送", "secondary"
    elif state == "late":
        text, style = (
            f"已过截止时间 {(now - window.deadline).days + 1} 天，仍可报送，但将标记为逾期",
            "danger",
        )
    else:
        text, style = "该月已结束，不能再报送", "secondary"
    return {"state": state, "text": text, "style": style, "deadline": window.deadline, "opens": window.opens}


def _org(request: HttpRequest, pk: int, *, write: bool = False) -> Organization:
    org = get_for_user(Organization.objects.select_related("parent"), _user(request), pk, write=write)
    if org.kind not in LIFE_KINDS:
        raise Http404("只有党支部（党总支）有月度计划")
    return org


def _branch_and_groups(request: HttpRequest, pk: int) -> tuple[Organization, list[Organization]]:
    """What _org reads, and the branch's active 党小组 (the 提示单's per-group rules), in one query."""
    rows = list(
        Organization.objects.visible_to(_user(request))
        .select_related("parent")
        .filter(Q(pk=pk) | Q(parent_id=pk, kind=Organization.Kind.GROUP, is_active=True))
        .order_by("path")
    )
    org = next((row for row in rows if row.pk == pk), None)
    if org is None:
        raise Http404(NOT_FOUND)
    if org.kind not in LIFE_KINDS:
        raise Http404("只有党支部（党总支）有月度计划")
    return org, [row for row in rows if row is not org]


def _plan(request: HttpRequest, pk: int, *, write: bool = False) -> MonthlyPlan:
    return get_for_user(
        MonthlyPlan.objects.select_related("org", "org__parent"), _user(request), pk, write=write
    )


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    """A branch user lands on the branch's plans; everyone else on the status board."""
    require_tree(_user(request))
    own = sel.own_branches(_user(request))
    if len(own) == 1:
        return redirect("orglife:plan_branch", pk=own[0].pk)
    return redirect("orglife:plan_board")


@login_required
def plan_branch(request: HttpRequest, pk: int) -> HttpResponse:
    org, groups = _branch_and_groups(request, pk)
    now = timezone.now()
    this_month = first_of_month(local_today())
    shown = (add_months(this_month, 1), this_month)
    # One query for the rule sets of every month involved (each window's filing month, the prompt's month).
    rulesets = rulesets_for([*shown, add_months(this_month, -1)])
    page = _page(request, sel.plans_of(org))
    # The plans list is newest first: when its first page reaches back past this month (or is the only
    # page), the two months' plans are among its rows; otherwise they are looked up in one query.
    page.object_list = rows = list(page.object_list)
    reaches = page.number == 1 and (not page.has_next() or (rows and rows[-1].month < this_month))
    listed = rows if reaches else MonthlyPlan.objects.filter(org=org, month__in=shown)
    plans = {plan.month: plan for plan in listed if plan.month in shown}
    months: list[dict[str, Any]] = []
    for month in shown:
        window = svc.filing_window(month, rulesets=rulesets)
        months.append({"month": month, "plan": plans.get(month), "countdown": countdown(window, now)})
    upcoming = months[0]
    prompt = (
        svc.prompt_items(org, shown[0], ruleset=rulesets[shown[0]], groups=groups)
        if upcoming["plan"] is None
        else []
    )
    context = {
        "org": org,
        "months": months,
        "upcoming": upcoming,
        "prompt": prompt,
        "page": page,
        "can_write": covers(_user(request), org.path, write=True),
    }
    return render(request, "orglife/plans/branch.html", context)


def _form_page(
    request: HttpRequest,
    org: Organization,
    month: dt.date,
    formset: Any,
    plan: MonthlyPlan | None,
    errors: list[str] | None = None,
) -> HttpResponse:
    window = svc.filing_window(month)
    context = {
        "org": org,
        "month": month,
        "formset": formset,
        "plan": plan,
        "errors": errors or [],
        "countdown": countdown(window, timezone.now()),
        "prefix": PREFIX,
        "has_groups": bool(groups_of(org)),
    }
    return render(request, "orglife/plans/plan_form.html", context)


def _after_save(request: HttpRequest, plan: MonthlyPlan) -> HttpResponse:
    """Save, then submit when the submit button was pressed; a refused submission leaves a saved draft."""
    if request.POST.get("action") != "submit":
        messages.success(request, "计划已保存为草稿，尚未提交审核")
        return redirect("orglife:plan_detail", pk=plan.pk)
    try:
        warnings = svc.submit_plan(actor=_user(request), plan=plan)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        messages.warning(request, "计划已保存为草稿，补全后再提交")
        return redirect("orglife:plan_edit", pk=plan.pk)
    plan.refresh_from_db()
    messages.success(request, "计划已提交，等待上级党组织审核" + ("（逾期报送）" if plan.is_late else ""))
    for text in warnings:
        messages.warning(request, text)
    return redirect("orglife:plan_detail", pk=plan.pk)


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request, pk, write=True)
    month = _month(request, _next_month())
    existing = MonthlyPlan.objects.filter(org=org, month=month).first()
    if existing is not None:
        return redirect("orglife:plan_detail", pk=existing.pk)
    try:
        svc.check_window(month)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("orglife:plan_branch", pk=org.pk)
    if request.method == "POST":
        formset = item_formset(org, month, data=request.POST)
        if formset.is_valid():
            try:
                plan = svc.create_plan(actor=_user(request), org=org, month=month, items=formset.items())
            except ValidationError as exc:
                return _form_page(request, org, month, formset, None, exc.messages)
            return _after_save(request, plan)
    else:
        formset = item_formset(org, month, initial=svc.prompt_items(org, month))
    return _form_page(request, org, month, formset, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    if plan.status not in (MonthlyPlan.Status.DRAFT, MonthlyPlan.Status.RETURNED):
        messages.error(request, f"{plan.get_status_display()}的计划不能修改")
        return redirect("orglife:plan_detail", pk=plan.pk)
    if request.method == "POST":
        formset = item_formset(plan.org, plan.month, data=request.POST)
        if formset.is_valid():
            try:
                svc.update_plan(actor=_user(request), plan=plan, items=formset.items())
            except ValidationError as exc:
                return _form_page(request, plan.org, plan.month, formset, plan, exc.messages)
            return _after_save(request, plan)
    else:
        items = svc.items_of(plan)
        formset = item_formset(plan.org, plan.month, initial=items)
    return _form_page(request, plan.org, plan.month, formset, plan)


@login_required
def plan_item_row(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: one more item row, and the formset's TOTAL_FORMS counted up out of band."""
    org = _org(request, pk, write=True)
    month = _month(request, _next_month())
    try:
        index = max(0, min(int(request.GET.get(f"{PREFIX}-TOTAL_FORMS", "0")), 59))
    except ValueError:
        index = 0
    form = blank_item_form(org, month, index)
    return render(
        request,
        "orglife/plans/partials/item_row_added.html",
        {"form": form, "index": index, "prefix": PREFIX, "has_groups": bool(groups_of(org))},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    check = svc.plan_check(plan)
    editable = plan.status in (MonthlyPlan.Status.DRAFT, MonthlyPlan.Status.RETURNED)
    context = {
        "plan": plan,
        "items": plan.items.select_related("group"),
        "events": plan.events.select_related("actor"),
        "check": check,
        "can_edit": editable and covers(_user(request), plan.org.path, write=True),
        "can_review": plan.status == MonthlyPlan.Status.SUBMITTED
        and svc.can_review(_user(request), plan.org),
        "return_form": ReturnForm(),
        "countdown": countdown(svc.filing_window(plan.month), timezone.now()),
    }
    return render(request, "orglife/plans/plan_detail.html", context)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    return _submit(request, plan)


def _submit(request: HttpRequest, plan: MonthlyPlan) -> HttpResponse:
    try:
        warnings = svc.submit_plan(actor=_user(request), plan=plan)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("orglife:plan_detail", pk=plan.pk)
    messages.success(request, "计划已提交，等待上级党组织审核")
    for text in warnings:
        messages.warning(request, text)
    return redirect("orglife:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    try:
        svc.approve_plan(actor=_user(request), plan=plan)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"已通过{plan.org.display_name}{plan.month:%Y年%m月}计划")
    if request.POST.get("next") == "review":
        return redirect("orglife:plan_review")
    return redirect("orglife:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, write=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回原因")
        return redirect("orglife:plan_detail", pk=plan.pk)
    try:
        svc.return_plan(actor=_user(request), plan=plan, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"已退回{plan.org.display_name}{plan.month:%Y年%m月}计划")
    return redirect("orglife:plan_detail", pk=plan.pk)


@login_required
def plan_review(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    page = _page(request, sel.review_queue(_user(request)))
    rows = [(plan, svc.can_review(_user(request), plan.org)) for plan in page.object_list]
    return render(request, "orglife/plans/review.html", {"page": page, "rows": rows})


def _board_filters(request: HttpRequest, month: dt.date) -> tuple[BoardFilter, dict[str, int]]:
    rows = sel.board(_user(request), month)
    filterset = BoardFilter(request.GET, queryset=rows)
    without_state = request.GET.copy()
    without_state.pop("state", None)
    counts = sel.board_counts(BoardFilter(without_state, queryset=rows).qs)
    committee = filterset.form.fields["committee"]
    committee.widget = _committee_select(request, committee.widget)
    return filterset, counts


def _committee_select(request: HttpRequest, widget: Any) -> Any:
    from django import forms

    choices = [("", "全部")] + [
        (o.pk, f"{'　' * max(o.depth - 1, 0)}{o.display_name}") for o in sel.committees(_user(request))[:500]
    ]
    return forms.Select(choices=choices)


@login_required
def plan_board(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    month = _month(request, _next_month())
    filterset, counts = _board_filters(request, month)
    style_filter_form(filterset.form)
    page = _page(request, filterset.qs)
    for org in page.object_list:
        org.state_label, org.state_style = sel.STATE_LABELS[org.state], sel.STATE_STYLES[org.state]
    context = {
        "month": month,
        "filter": filterset,
        "page": page,
        "counts": [(k, sel.STATE_LABELS[k], sel.STATE_STYLES[k], counts[k]) for k in sel.STATE_LABELS],
        "total": sum(counts.values()),
        "countdown": countdown(svc.filing_window(month), timezone.now()),
        "prev_month": add_months(month, -1),
        "next_month": add_months(month, 1),
    }
    return render(request, "orglife/plans/board.html", context)


@login_required
def plan_board_export(request: HttpRequest) -> FileResponse:
    require_tree(_user(request))
    month = _month(request, _next_month())
    filterset, _ = _board_filters(request, month)
    filters = {key: value for key, value in request.GET.items() if value and key != "page"}
    data = svc.export_board(user=_user(request), month=month, rows=filterset.qs, filters=filters)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=svc.board_file_name(month),
        content_type=svc.XLSX_CONTENT_TYPE,
    )


urlpatterns = [
    path("", plan_index, name="plan_index"),
    path("review/", plan_review, name="plan_review"),
    path("board/", plan_board, name="plan_board"),
    path("board/export.xlsx", plan_board_export, name="plan_board_export"),
    path("branch/<int:pk>/", plan_branch, name="plan_branch"),
    path("branch/<int:pk>/new/", plan_create, name="plan_create"),
    path("branch/<int:pk>/item-row/", plan_item_row, name="plan_item_row"),
    path("<int:pk>/", plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("<int:pk>/submit/", plan_submit, name="plan_submit"),
    path("<int:pk>/approve/", plan_approve, name="plan_approve"),
    path("<int:pk>/return/", plan_return, name="plan_return"),
]
