"""巡查 and 整改 pages: parse, check access, call orglife.services.patrol, respond."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from audit.models import AuditEvent
from orglife.forms.patrol import DrawForm, EvidenceForm, RatingForm, ReasonForm, RectificationForm, ReholdForm
from orglife.models import PatrolCheck, Rectification
from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.services import patrol as patrol
from orglife.views.stats import record_url
from orgs.access import covers, get_for_user, require_tree
from orgs.forms import add_service_errors
from orgs.models import Organization


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _page(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page


def _patrol_roots(user: User) -> QuerySet[Organization]:
    paths = patrol.patrol_paths(user)
    if paths is None:
        return Organization.objects.filter(parent__isnull=True).order_by("path")
    return Organization.objects.filter(path__in=paths).order_by("path")


def _month(request: HttpRequest) -> Any:
    try:
        return parse_month(request.GET["month"])
    except (KeyError, ValueError):
        return add_months(first_of_month(local_today()), -1)  # patrols look at the month just closed


# ---------------------------------------------------------------- checks


@login_required
def check_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    month = _month(request)
    state = request.GET.get("state", "")
    checks = (
        PatrolCheck.objects.visible_to(_user(request))
        .filter(month=month)
        .select_related("record", "org", "rated_by")
        .order_by("rating", "org__path", "id")
    )
    counts = checks.aggregate(total=Count("id"), rated=Count("id", filter=~Q(rating="")))
    if state == "unrated":
        checks = checks.filter(rating="")
    elif state == "rated":
        checks = checks.exclude(rating="")
    can_draw = patrol.can_patrol_anywhere(_user(request))
    form = DrawForm(initial={"month": month}, roots=_patrol_roots(_user(request))) if can_draw else None
    context = {"page": _page(request, checks), "month": month, "state": state, "counts": counts, "form": form}
    return render(request, "orglife/patrol/check_list.html", context)


@login_required
@require_POST
def check_draw(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    form = DrawForm(request.POST, roots=Organization.objects.visible_to(_user(request)))
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("orglife:patrol_check_list")
    month = form.cleaned_data["month"]
    created = patrol.draw_sample(
        actor=_user(request), root=form.cleaned_data["root"], month=month, seed=form.cleaned_data["seed"]
    )
    messages.success(request, f"已抽取 {len(created)} 条会议记录")
    return redirect(f"{reverse('orglife:patrol_check_list')}?month={month:%Y-%m}")


def _check(request: HttpRequest, pk: int) -> PatrolCheck:
    qs = PatrolCheck.objects.select_related("record", "record__group", "org", "rated_by")
    return get_for_user(qs, _user(request), pk)


def _check_context(request: HttpRequest, check: PatrolCheck, **forms: Any) -> dict[str, Any]:
    record = check.record
    can_patrol = patrol.can_patrol(_user(request), check.org.path)
    attendance = record.attendance.aggregate(
        present=Count("id", filter=Q(status="present")), due=Count("id", filter=~Q(status="exempt"))
    )
    return {
        "check": check,
        "record": record,
        "record_url": record_url(record.pk),
        "attendance": attendance,
        "photos": record.attachments.filter(kind="photo").count(),
        "can_patrol": can_patrol,
        "rating_form": forms.get("rating_form")
        or RatingForm(initial={"rating": check.rating, "reasons": check.reasons, "comment": check.comment}),
        "rehold_form": forms.get("rehold_form") or ReholdForm(),
        "rect_form": forms.get("rect_form")
        or RectificationForm(initial={"title": f"{record.get_meeting_type_display()}记录整改"}),
        "rectifications": Rectification.objects.filter(patrol_check=check).order_by("id"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The rating page: the record's essentials, the rating form, re-hold and rectification."""
    check = _check(request, pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        patrol.require_patrol(_user(request), check.org.path)  # a reader gets 403 even with a bad form
        if form.is_valid():
            try:
                patrol.rate_check(actor=_user(request), check=check, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已保存评价")
                return redirect("orglife:patrol_check_detail", pk=check.pk)
        return render(
            request, "orglife/patrol/check_detail.html", _check_context(request, check, rating_form=form)
        )
    return render(request, "orglife/patrol/check_detail.html", _check_context(request, check))


@login_required
@require_POST
def check_rehold(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    patrol.require_patrol(_user(request), check.org.path)
    form = ReholdForm(request.POST)
    if form.is_valid():
        try:
            patrol.order_rehold(actor=_user(request), check=check, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已要求该支部重新召开，此次会议不再计入完成情况")
            return redirect("orglife:patrol_check_detail", pk=check.pk)
    return render(
        request, "orglife/patrol/check_detail.html", _check_context(request, check, rehold_form=form)
    )


@login_required
@require_POST
def check_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    patrol.require_patrol(_user(request), check.org.path)
    form = RectificationForm(request.POST)
    if form.is_valid():
        try:
            rect = patrol.open_rectification(
                actor=_user(request),
                org=check.org,
                check=check,
                title=form.cleaned_data["title"],
                items=form.item_list(),
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已下发整改通知")
            return redirect("orglife:patrol_rect_detail", pk=rect.pk)
    return render(request, "orglife/patrol/check_detail.html", _check_context(request, check, rect_form=form))


# ---------------------------------------------------------------- rectifications


def with_overdue(qs: QuerySet[Rectification]) -> QuerySet[Rectification]:
    today = timezone.localdate()
    return qs.annotate(overdue=Case(When(patrol.overdue_q(today), then=Value(True)), default=Value(False)))


@login_required
def rect_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    base = Rectification.objects.visible_to(_user(request)).select_related("org")
    status = request.GET.get("status", "")
    qs = with_overdue(base)
    if status in Rectification.Status.values:
        qs = qs.filter(status=status)
    elif status == "overdue":
        qs = qs.filter(patrol.overdue_q(timezone.localdate()))
    counts = base.aggregate(
        open=Count("id", filter=~Q(status=Rectification.Status.CLOSED)),
        overdue=Count("id", filter=patrol.overdue_q(timezone.localdate())),
    )
    context = {
        "page": _page(request, qs.order_by(F("overdue").desc(), "status", "deadline", "id")),
        "status": status,
        "statuses": Rectification.Status.choices,
        "counts": counts,
    }
    return render(request, "orglife/patrol/rect_list.html", context)


def _rect(request: HttpRequest, pk: int, *, write: bool = False) -> Rectification:
    qs = with_overdue(Rectification.objects.select_related("org", "record", "opened_by", "closed_by"))
    return get_for_user(qs, _user(request), pk, write=write)


def _rect_context(request: HttpRequest, rect: Rectification, **forms: Any) -> dict[str, Any]:
    history = AuditEvent.objects.filter(target_type="orglife.Rectification", target_id=str(rect.pk)).order_by(
        "created_at", "id"
    )
    return {
        "rect": rect,
        "items": rect.items.all(),
        "history": history,
        "record_url": record_url(rect.record_id) if rect.record_id else None,
        "can_submit": rect.status == Rectification.Status.OPEN
        and covers(_user(request), rect.org.path, write=True),
        "can_review": rect.status == Rectification.Status.SUBMITTED
        and patrol.can_review(_user(request), rect),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(rectification=rect),
        "return_form": forms.get("return_form") or ReasonForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def rect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The rectification; the branch submits its evidence per item here (POST)."""
    if request.method != "POST":
        rect = _rect(request, pk)
        return render(request, "orglife/patrol/rect_detail.html", _rect_context(request, rect))
    rect = _rect(request, pk, write=True)
    form = EvidenceForm(request.POST, rectification=rect)
    if form.is_valid():
        try:
            patrol.submit_rectification(
                actor=_user(request),
                rectification=rect,
                evidence=form.evidence(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已提交整改情况，等待验收")
            return redirect("orglife:patrol_rect_detail", pk=rect.pk)
    return render(
        request, "orglife/patrol/rect_detail.html", _rect_context(request, rect, evidence_form=form)
    )


@login_required
@require_POST
def rect_close(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _rect(request, pk)
    try:
        patrol.close_rectification(actor=_user(request), rectification=rect)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已销号")
    return redirect("orglife:patrol_rect_detail", pk=rect.pk)


@login_required
@require_POST
def rect_return(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _rect(request, pk)
    if not patrol.can_review(_user(request), rect):
        raise PermissionDenied("只有整改发起人或上级党(工)委可以退回")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            patrol.return_rectification(
                actor=_user(request), rectification=rect, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已退回，支部需继续整改")
            return redirect("orglife:patrol_rect_detail", pk=rect.pk)
    return render(request, "orglife/patrol/rect_detail.html", _rect_context(request, rect, return_form=form))


urlpatterns = [
    path("", check_list, name="patrol_check_list"),
    path("draw/", check_draw, name="patrol_check_draw"),
    path("<int:pk>/", check_detail, name="patrol_check_detail"),
    path("<int:pk>/rehold/", check_rehold, name="patrol_check_rehold"),
    path("<int:pk>/rectify/", check_rectify, name="patrol_check_rectify"),
    path("rectifications/", rect_list, name="patrol_rect_list"),
    path("rectifications/<int:pk>/", rect_detail, name="patrol_rect_detail"),
    path("rectifications/<int:pk>/close/", rect_close, name="patrol_rect_close"),
    path("rectifications/<int:pk>/return/", rect_return, name="patrol_rect_return"),
]
