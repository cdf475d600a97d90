"""微党课 and 集中培训 pages: lists with search and export, recording, detail, deleting a lesson."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from learning import services
from learning.conversions import current_conversion
from learning.defaults import rules
from learning.forms import DeleteForm, LessonForm, TrainingForm
from learning.models import Lesson, Training
from learning.selectors.lessons import counts_by_node
from learning.services.hours import read_attendees
from learning.services.lessons import slides_path
from learning.views.common import XLSX, focus_org, page_of, xlsx, year_of
from orglife.models import MeetingRecord
from orgs.access import covers, get_for_user, require_tree, require_writer
from orgs.forms import add_service_errors
from orgs.models import Member, Organization
from orgs.paths import under_path_q

RECENT_RECORD_DAYS = 120


@login_required
def lessons(request: HttpRequest) -> HttpResponse:
    org = focus_org(request)
    year = year_of(request)
    q = (request.GET.get("q") or "").strip()
    qs = (
        Lesson.objects.visible_to(request.user)
        .filter(under_path_q(org.path, "org__path"), given_on__year=year)
        .select_related("org", "speaker")
    )
    if q:
        qs = qs.filter(Q(topic__contains=q) | Q(speaker__name__contains=q))
    if request.GET.get("format") == "xlsx":
        title = f"{org.display_name}{year}年度微党课"
        body = xlsx(
            title,
            ["序号", "日期", "题目", "授课人", "党组织", "时长（分钟）", "听课人数"],
            (
                [i, f"{x.given_on:%Y-%m-%d}", x.topic, x.speaker.name, x.org.name, x.minutes, x.audience]  # type: ignore[attr-defined]
                for i, x in enumerate(qs.annotate(audience=Count("entries")), 1)
            ),
        )
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
        return response
    totals = qs.aggregate(lessons=Count("pk"), speakers=Count("speaker", distinct=True))
    branches = Organization.objects.under(org).branches()
    quarter_start = (
        dt.date(year, ((timezone.localdate().month - 1) // 3) * 3 + 1, 1)
        if year == timezone.localdate().year
        else dt.date(year, 10, 1)
    )
    with_lesson = (
        Lesson.objects.filter(org__in=branches, given_on__gte=quarter_start, given_on__year=year)
        .values("org")
        .distinct()
        .count()
    )
    branch_count = branches.count()
    context = {
        "org": org,
        "year": year,
        "q": q,
        "page": page_of(request, qs),
        "totals": totals,
        "branch_count": branch_count,
        "with_lesson": with_lesson,
        "share": int(with_lesson * 100 / branch_count) if branch_count else 0,
        "by_node": counts_by_node(org, year) if not q else [],
        "quarter_start": quarter_start,
        "can_write": covers(request.user, org.path, write=True),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    }
    return render(request, "learning/lessons.html", context)


def _branch_choices(request: HttpRequest, org: Organization) -> list[Organization]:
    return list(
        Organization.objects.under(org).branches().visible_to(request.user, write=True).order_by("path")[:500]
    )


@login_required
def lesson_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    org = focus_org(request)
    branch = org if org.is_branch else None
    if branch is None:
        return render(
            request,
            "learning/pick_branch.html",
            {"title": "登记微党课", "branches": _branch_choices(request, org), "next": "learning:lesson_new"},
        )
    if not covers(request.user, branch.path, write=True):
        raise PermissionDenied("您对该组织只有查看权限")
    speakers = [(m.pk, m.name) for m in Member.objects.filter(org=branch).active().order_by("name")]
    since = timezone.now() - dt.timedelta(days=RECENT_RECORD_DAYS)
    records = [
        (r.pk, f"{timezone.localtime(r.started_at):%Y-%m-%d} {r.get_meeting_type_display()}：{r.topic}")
        for r in MeetingRecord.objects.filter(
            org=branch,
            status=MeetingRecord.Status.APPROVED,
            started_at__gte=since,
            meeting_type__in=rules().study_meeting_types,
        ).order_by("-started_at")
    ]
    form = LessonForm(
        request.POST or None,
        request.FILES or None,
        speakers=speakers,
        records=records,
        initial={"given_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lesson = services.give_lesson(
                actor=request.user,
                data=services.LessonData(
                    org=branch,
                    speaker=Member.objects.select_related("org").get(pk=d["speaker"]),
                    topic=d["topic"],
                    given_on=d["given_on"],
                    minutes=d["minutes"],
                    outline=d["outline"],
                    record=MeetingRecord.objects.get(pk=d["record"]) if d["record"] else None,
                    upload=d["upload"],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记微党课，{lesson.entries.count()} 名听课党员计入学时")
            return redirect("learning:lesson_detail", lesson.pk)
    return render(request, "learning/lesson_form.html", {"form": form, "branch": branch})


@login_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    lesson = get_for_user(
        Lesson.objects.select_related("org", "speaker", "record", "video"), request.user, pk
    )
    entries = lesson.entries.select_related("member").order_by("member__name")
    context = {
        "lesson": lesson,
        "entries": entries,
        "can_write": covers(request.user, lesson.org.path, write=True),
        "delete_form": DeleteForm(),
    }
    return render(request, "learning/lesson_detail.html", context)


@login_required
@require_POST
def lesson_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    lesson = get_for_user(Lesson.objects.select_related("org"), request.user, pk, write=True)
    form = DeleteForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.delete_lesson(actor=request.user, lesson=lesson, reason=str(reason))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("learning:lesson_detail", pk)
    messages.success(request, "已删除该微党课，相关学时与积分已冲正")
    return redirect("learning:lessons")


@login_required
def trainings(request: HttpRequest) -> HttpResponse:
    org = focus_org(request)
    year = year_of(request)
    qs = (
        Training.objects.visible_to(request.user)
        .filter(under_path_q(org.path, "org__path"), starts_on__year=year)
        .select_related("org")
        .annotate(attendees=Count("entries"))
        .order_by("-starts_on", "-pk")  # Meta.ordering is dropped from a GROUP BY query
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(organizer__contains=q))
    context = {
        "org": org,
        "year": year,
        "q": q,
        "page": page_of(request, qs),
        "can_write": covers(request.user, org.path, write=True),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    }
    return render(request, "learning/trainings.html", context)


MAX_TRAINING_CHOICES = 2000


@login_required
def training_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    org = focus_org(request)
    if not covers(request.user, org.path, write=True):
        raise PermissionDenied("您对该组织只有查看权限")
    members = [
        (m.pk, f"{m.name}（{m.org.display_name}）")
        for m in Member.objects.filter(under_path_q(org.path, "org__path"))
        .active()
        .select_related("org")
        .order_by("org__path", "name")[:MAX_TRAINING_CHOICES]
    ]
    form = TrainingForm(request.POST or None, request.FILES or None, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            imported = read_attendees(d["attendees"], org) if d["attendees"] else []
            training = services.record_training(
                actor=request.user,
                data=services.TrainingData(
                    org=org,
                    name=d["name"],
                    organizer=d["organizer"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    hours=d["hours"],
                    member_ids=[*d["members"], *imported],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记培训，{training.entries.count()} 名党员计入学时")
            return redirect("learning:training_detail", training.pk)
    conversion = current_conversion(timezone.localdate())
    return render(
        request, "learning/training_form.html", {"form": form, "org": org, "conversion": conversion}
    )


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    training = get_for_user(Training.objects.select_related("org"), request.user, pk)
    entries = training.entries.select_related("member", "member__org").order_by(
        "member__org__path", "member__name"
    )
    return render(
        request, "learning/training_detail.html", {"training": training, "page": page_of(request, entries)}
    )


@login_required
def lesson_slides(request: HttpRequest, pk: int) -> FileResponse:
    """The lesson's 课件 after the lesson's own access check (outside the scope: 404); private cache only."""
    require_tree(request.user)
    lesson = get_for_user(Lesson.objects.all(), request.user, pk)
    if not lesson.slides_file:
        raise Http404("该微党课没有课件")
    try:
        handle = open(slides_path(lesson), "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        raise Http404("课件文件不存在") from None
    inline = lesson.slides_type == "application/pdf"
    response = FileResponse(
        handle, content_type=lesson.slides_type, as_attachment=not inline, filename=lesson.slides_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response
