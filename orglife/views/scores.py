"""Pages for 月积分 (ranking, formula, month close) and 约谈 (list, record outcome, attachment, done)."""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from orglife.models import Interview, MonthlyScore
from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.rules import ruleset_for
from orglife.services import scores as services_scores
from orglife.services.rules import is_department_admin
from orgs.access import get_for_user, require_tree


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _month_arg(request: HttpRequest, default: dt.date) -> dt.date:
    try:
        return parse_month(request.GET.get("month", "")) if request.GET.get("month") else default
    except ValueError:
        return default


@login_required
def score_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    visible = MonthlyScore.objects.visible_to(_user(request))
    months = list(visible.order_by("-month").values_list("month", flat=True).distinct()[:36])
    default = months[0] if months else add_months(first_of_month(local_today()), -1)
    month = _month_arg(request, default)
    rows = list(visible.filter(month=month).select_related("org").order_by("rank", "org_path"))
    try:
        ruleset = rows[0].ruleset if rows else ruleset_for(month)
    except Exception:
        ruleset = None
    chart = {
        "labels": [r.org.display_name for r in rows],
        "totals": [float(r.total) for r in rows],
        "lagging": [r.lagging for r in rows],
    }
    context = {
        "month": month,
        "months": months,
        "rows": rows,
        "ruleset": ruleset,
        "formula": services_scores.formula(ruleset) if ruleset else "",
        "chart": chart,
        "can_close": is_department_admin(_user(request)),
        "close_default": f"{add_months(first_of_month(local_today()), -1):%Y-%m}",
    }
    return render(request, "orglife/scores/score_list.html", context)


@login_required
@require_POST
def score_close(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    services_scores.require_closer(_user(request))  # before reading the input, as the service would
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("orglife:score_list")
    try:
        report = services_scores.close_month(month=month, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("orglife:score_list")
    messages.success(request, str(report))
    return redirect(f"{reverse('orglife:score_list')}?month={month:%Y-%m}")


@login_required
def interview_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    status = request.GET.get("status", "open")
    today = local_today()
    qs = Interview.objects.visible_to(_user(request)).select_related("org")
    if status == "open":
        qs = qs.filter(status=Interview.Status.PENDING)
    elif status == "overdue":
        qs = qs.filter(status=Interview.Status.PENDING, due_on__lt=today)
    elif status == "done":
        qs = qs.filter(status=Interview.Status.DONE)
    else:
        status = "all"
    page = Paginator(qs.order_by("-month", "due_on", "org__path"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    context = {"page": page, "status": status, "today": today}
    return render(request, "orglife/scores/interview_list.html", context)


class InterviewForm(forms.Form):
    held_on = forms.DateField(label="约谈日期", widget=forms.DateInput(attrs={"type": "date"}))
    interviewee_name = forms.CharField(label="被约谈人", max_length=40)
    outcome = forms.CharField(label="约谈情况", widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(
        label="附件（约谈记录、整改承诺等：PDF、Word、Excel 或照片）", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


@login_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    write = request.method == "POST"
    interview = get_for_user(
        Interview.objects.select_related("org", "org__parent", "completed_by"),
        _user(request),
        pk,
        write=write,
    )
    can_record = services_scores.can_interview(_user(request), interview)
    initial = {
        "held_on": interview.held_on,
        "interviewee_name": interview.interviewee_name,
        "outcome": interview.outcome,
    }
    form = InterviewForm(request.POST or None, request.FILES or None, initial=initial)
    if write:
        services_scores.require_interviewer(_user(request), interview)
        if form.is_valid():
            try:
                services_scores.record_interview(
                    actor=_user(request),
                    interview=interview,
                    held_on=form.cleaned_data["held_on"],
                    interviewee_name=form.cleaned_data["interviewee_name"],
                    outcome=form.cleaned_data["outcome"],
                    attachment=form.cleaned_data.get("attachment"),
                )
            except ValidationError as exc:
                if interview.status == Interview.Status.DONE:  # the form is gone: say why on the page
                    messages.error(request, " ".join(exc.messages))
                    return redirect("orglife:interview_detail", pk=interview.pk)
                form.add_error("attachment", exc)
            else:
                messages.success(request, "已保存约谈情况")
                return redirect("orglife:interview_detail", pk=interview.pk)
    score = MonthlyScore.objects.filter(org=interview.org, month=interview.month).first()
    context = {
        "interview": interview,
        "form": form,
        "score": score,
        "can_record": can_record and interview.status == Interview.Status.PENDING,
        "overdue": interview.status == Interview.Status.PENDING and interview.due_on < local_today(),
    }
    return render(request, "orglife/scores/interview_detail.html", context)


@login_required
@require_POST
def interview_done(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_for_user(Interview.objects.select_related("org__parent"), _user(request), pk, write=True)
    services_scores.require_interviewer(_user(request), interview)
    try:
        services_scores.complete_interview(actor=_user(request), interview=interview)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已标记为已约谈")
    return redirect("orglife:interview_detail", pk=interview.pk)


@login_required
def interview_attachment(request: HttpRequest, pk: int) -> FileResponse:
    interview = get_for_user(Interview.objects.all(), _user(request), pk)
    if not interview.attachment:
        raise Http404("没有附件")
    name = (interview.attachment.name or "").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        interview.attachment.open("rb"),
        as_attachment=True,
        filename=f"约谈附件-{interview.org.display_name}-{interview.month:%Y%m}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", score_list, name="score_list"),
    path("close/", score_close, name="score_close"),
    path("interviews/", interview_list, name="interview_list"),
    path("interviews/<int:pk>/", interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/done/", interview_done, name="interview_done"),
    path("interviews/<int:pk>/attachment/", interview_attachment, name="interview_attachment"),
]
