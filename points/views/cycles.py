"""Quarterly review (季度审定与讲评) and the monthly notice (每月通报公示) with objections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs.access import get_for_user, has_any_scope, holds, own_member_id, scope_q
from orgs.forms import add_service_errors
from orgs.models import Member, Organization
from points import selectors, services
from points.forms import AnswerForm, ConfirmQuarterForm, NoticeForm, ObjectionForm
from points.models import Declaration, MonthlyNotice, Objection, QuarterReview
from points.periods import quarter_bounds, quarter_of
from points.roles import PUBLISH_ROLES, REVIEW_ROLES
from points.views.common import focus_org, page_of, require_points_user, require_role, require_staff, user_of


def _quarter(request: HttpRequest) -> tuple[int, int]:
    """?year=&quarter=, defaulting to the last finished quarter."""
    today = timezone.localdate()
    last = quarter_bounds(today.year, quarter_of(today))[0] - dt.timedelta(days=1)
    try:
        year = int(request.GET.get("year") or last.year)
        quarter = int(request.GET.get("quarter") or quarter_of(last))
        quarter_bounds(year, quarter)
    except ValueError:
        year, quarter = last.year, quarter_of(last)
    return year, quarter


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Branches in scope for a quarter: what waits for the scorekeeper, what awaits review, and reviews done."""
    require_staff(request)
    year, quarter = _quarter(request)
    start, end = quarter_bounds(year, quarter)
    org = focus_org(request)
    branches = Organization.objects.visible_to(user_of(request)).branches()
    if org is not None:
        branches = branches.under(org)
    page = page_of(request, branches.order_by("path"))
    ids = [b.pk for b in page.object_list]
    counts: dict[int, Any] = {
        row["org_id"]: row
        for row in Declaration.objects.filter(org_id__in=ids, occurred_on__range=(start, end))
        .values("org_id")
        .annotate(
            waiting=Count("pk", filter=Q(status=Declaration.Status.DECLARED)),
            recorded=Count("pk", filter=Q(status=Declaration.Status.RECORDED)),
        )
        .order_by()
    }
    reviews = {
        r.branch_id: r for r in QuarterReview.objects.filter(branch_id__in=ids, year=year, quarter=quarter)
    }
    rows = [(b, counts.get(b.pk, {}), reviews.get(b.pk)) for b in page.object_list]
    years = range(timezone.localdate().year, timezone.localdate().year - 4, -1)
    context = {"page": page, "rows": rows, "year": year, "quarter": quarter, "org": org, "years": years}
    return render(request, "points/review_list.html", context)


@login_required
def review_detail(request: HttpRequest, branch_pk: int, year: int, quarter: int) -> HttpResponse:
    """A branch's quarter: the report (讲评) and, for the secretary, the confirmation (审定)."""
    branch = get_for_user(Organization.objects.all(), request.user, branch_pk, write=request.method == "POST")
    try:
        start, end = quarter_bounds(year, quarter)
    except ValueError:
        raise Http404("季度不存在") from None
    if request.method == "POST":
        require_role(request, REVIEW_ROLES, "只有支部书记或支部管理员可以审定")
    form = ConfirmQuarterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_quarter(
                actor=user_of(request),
                branch=branch,
                year=year,
                quarter=quarter,
                remarks=form.cleaned_data["remarks"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已审定，本季度积分已入账")
            return redirect("points:review_detail", branch_pk=branch.pk, year=year, quarter=quarter)
    review = selectors.review_of(branch, year, quarter)
    context = {
        "branch": branch,
        "year": year,
        "quarter": quarter,
        "start": start,
        "end": end,
        "review": review,
        "rows": selectors.quarter_report(branch, year, quarter),
        "form": form,
        "can_confirm": review is None and holds(request.user, REVIEW_ROLES, branch.path),
        "ended": timezone.localdate() > end,
    }
    return render(request, "points/review_detail.html", context)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    require_points_user(request)
    qs = (
        MonthlyNotice.objects.visible_to(user_of(request))
        .select_related("org")
        .annotate(
            objection_count=Count("objections"),
            open_objections=Count("objections", filter=Q(objections__answered_at__isnull=True)),
        )
        .order_by("-year", "-month", "org__path")
    )
    context = {
        "page": page_of(request, qs),
        "can_publish": has_any_scope(request.user) and holds(request.user, PUBLISH_ROLES),
        "today": timezone.localdate(),
    }
    return render(request, "points/notice_list.html", context)


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    require_role(request, PUBLISH_ROLES, "您只有查看权限，不能发布公示")
    q = scope_q(request.user, "path", wanted=PUBLISH_ROLES)
    orgs = Organization.objects.all()
    if q is not None:
        orgs = orgs.filter(q).exclude(kind=Organization.Kind.GROUP)
    orgs = orgs.order_by("path")[:500]
    form = NoticeForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        org = get_for_user(Organization.objects.all(), request.user, form.cleaned_data["org"], write=True)
        year, month = form.cleaned_data["month"]
        try:
            notice = services.publish_notice(
                actor=user_of(request), org=org, year=year, month=month, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已发布公示")
            return redirect("points:notice_detail", pk=notice.pk)
    return render(request, "points/notice_form.html", {"form": form})


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_for_user(MonthlyNotice.objects.select_related("org", "published_by"), request.user, pk)
    user = user_of(request)
    lines = notice.lines.select_related("member", "member__org").order_by("-year_points", "member_id")
    member_id = own_member_id(user)
    in_scope = (
        bool(member_id)
        and Member.objects.filter(pk=member_id or 0, org__path__startswith=notice.org.path).exists()
    )
    objections = notice.objections.select_related("raised_by", "about", "answered_by")
    if not has_any_scope(user):
        objections = objections.filter(raised_by=user)
    context = {
        "notice": notice,
        "page": page_of(request, lines),
        "objections": objections,
        "is_open": notice.is_open_on(timezone.localdate()),
        "can_object": in_scope and notice.is_open_on(timezone.localdate()),
        "can_answer": holds(user, PUBLISH_ROLES, notice.org.path),
        "can_publish": notice.is_draft and holds(user, PUBLISH_ROLES, notice.org.path),
        "objection_form": ObjectionForm(members=Member.objects.filter(pk__in=lines.values("member_id"))),
        "answer_form": AnswerForm(),
    }
    return render(request, "points/notice_detail.html", context)


@require_POST
@login_required
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft made by the monthly job: its lines are refreshed and the objection window opens."""
    notice = get_for_user(MonthlyNotice.objects.select_related("org"), request.user, pk, write=True)
    try:
        if not notice.is_draft:
            raise ValidationError("该公示已发布")
        services.publish_notice(actor=user_of(request), org=notice.org, year=notice.year, month=notice.month)
        messages.success(request, "已发布公示，公示期开始")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:notice_detail", pk=notice.pk)


@require_POST
@login_required
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_for_user(MonthlyNotice.objects.select_related("org"), request.user, pk)
    form = ObjectionForm(request.POST, members=Member.objects.filter(pk__in=notice.lines.values("member_id")))
    try:
        if not form.is_valid():
            raise ValidationError("请填写异议内容")
        services.raise_objection(
            actor=user_of(request),
            notice=notice,
            text=form.cleaned_data["text"],
            about=form.cleaned_data["about"],
        )
        messages.success(request, "已提交异议，等待答复")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:notice_detail", pk=notice.pk)


@require_POST
@login_required
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_for_user(
        Objection.objects.select_related("notice", "notice__org"), request.user, pk, write=True
    )
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写答复")
        services.answer_objection(
            actor=user_of(request), objection=objection, answer=form.cleaned_data["answer"]
        )
        messages.success(request, "已答复")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:notice_detail", pk=objection.notice_id)
