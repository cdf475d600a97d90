"""党员教育片库: the library, publishing, 必看/选看 assignments with their completion, and watching on a phone
with the server-verified heartbeats (services.watching)."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from learning.forms import AssignmentForm, VideoForm
from learning.models import Video, VideoAssignment, WatchAnomaly, WatchProgress
from learning.selectors import CandidateRow, candidate_rows
from learning.services import uploads, watching
from learning.services import videos as video_svc
from learning.services.reminders import by_branch
from learning.views.common import XLSX, focus_org, page_of, xlsx
from orgs.access import covers, get_for_user, has_any_scope, own_member_id, require_tree, require_writer
from orgs.forms import add_service_errors
from orgs.models import Member, Organization
from orgs.paths import under_path_q

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _own_member(request: HttpRequest) -> Member | None:
    member_id = own_member_id(request.user)
    return Member.objects.select_related("org").get(pk=member_id) if member_id else None


def _video_for(request: HttpRequest, pk: int) -> Video:
    return video_svc.video_for_user(request.user, pk)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    if has_any_scope(request.user):
        org = focus_org(request)
        q = (request.GET.get("q") or "").strip()
        qs = Video.objects.visible_to(request.user).filter(
            under_path_q(org.path, "org__path") | Q_ancestor(org)
        )
        if q:
            qs = qs.filter(title__contains=q) | qs.filter(category__contains=q) | qs.filter(tags__contains=q)
        assignments = VideoAssignment.objects.visible_to(request.user).select_related("video", "org")[:50]
        context = {
            "org": org,
            "q": q,
            "page": page_of(request, qs.order_by("-created_at")),
            "assignments": assignments,
            "can_write": covers(request.user, org.path, write=True),
            "mine": video_svc.assignments_for(member) if member else [],
        }
        return render(request, "learning/videos.html", context)
    if member is None:
        raise Http404("未找到页面")
    mine = video_svc.assignments_for(member)
    progress = {p.video_id: p for p in WatchProgress.objects.filter(member=member)}
    rows = [(a, progress.get(a.video_id)) for a in mine]
    return render(request, "learning/my_videos.html", {"rows": rows, "share": watching.required_share()})


def Q_ancestor(org: Organization) -> Q:  # noqa: N802 - reads as a Q
    """Videos published above the node are part of its library too."""
    prefixes = [org.path[:i] for i in range(1, len(org.path))]
    return Q(org__path__in=prefixes)


@login_required
def video_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    org = focus_org(request)
    if not covers(request.user, org.path, write=True):
        raise PermissionDenied("您对该组织只有查看权限")
    form = VideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            video = video_svc.publish_video(
                actor=request.user,
                data=video_svc.VideoData(
                    org, d["title"], d["category"], d["duration"] or 0, d["tags"], d["source"], d["upload"]
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已发布教育片" + ("，正在转码" if video.original else ""))
            return redirect("learning:video_detail", video.pk)
    context = {"form": form, "org": org, "max_mb": uploads.max_upload_bytes() // 1048576}
    return render(request, "learning/video_form.html", context)


@login_required
def video_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request)
    video = _video_for(request, pk)
    progress = WatchProgress.objects.filter(member=member, video=video).first() if member else None
    can_assign = has_any_scope(request.user) and covers(request.user, video.org.path, write=True)
    context = {
        "video": video,
        "member": member,
        "progress": progress,
        "share": watching.required_share(),
        "beat_seconds": 3,
        "can_assign": can_assign,
        "assign_form": AssignmentForm() if can_assign else None,
        "assignments": video.assignments.visible_to(request.user).select_related("org")
        if has_any_scope(request.user)
        else [],
    }
    return render(request, "learning/video_detail.html", context)


@login_required
def video_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The video file with HTTP range requests (206, 416), so seeking works in Safari and Chromium."""
    video = _video_for(request, pk)
    if not video.playable:
        raise Http404("该教育片尚未上传视频文件或正在转码")
    accel = getattr(settings, "LEARNING_MEDIA_ACCEL_PREFIX", "")
    if (
        accel
    ):  # production: nginx serves the bytes (ranges included) from an internal location, after this check
        handed = HttpResponse(content_type=video.content_type)
        handed["X-Accel-Redirect"] = quote(accel.rstrip("/") + "/" + str(video.file.name))
        handed["Accept-Ranges"] = "bytes"
        patch_cache_control(handed, private=True, max_age=3600)
        return handed
    path = video.file.path
    size = os.path.getsize(path)
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    if not header:
        full = FileResponse(open(path, "rb"), content_type=video.content_type)  # noqa: SIM115
        full["Accept-Ranges"] = "bytes"
        return full
    if match is None or (not match.group(1) and not match.group(2)):
        return _unsatisfiable(size)
    if match.group(1):
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else size - 1
    else:
        start, end = max(0, size - int(match.group(2))), size - 1
    end = min(end, size - 1)
    if start > end or start >= size:
        return _unsatisfiable(size)
    length = end - start + 1

    def chunks():  # type: ignore[no-untyped-def]
        with open(path, "rb") as f:
            f.seek(start)
            left = length
            while left > 0:
                data = f.read(min(65536, left))
                if not data:
                    break
                left -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=video.content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response


@login_required
def video_poster(request: HttpRequest, pk: int) -> HttpResponseBase:
    video = _video_for(request, pk)
    if not video.poster:
        raise Http404("该教育片没有封面")
    response = FileResponse(video.poster.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def video_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The transcoding state the detail page polls (htmx); once playable the page reloads to show the player."""
    video = _video_for(request, pk)
    response = render(request, "learning/partials/video_status.html", {"video": video})
    if video.status == Video.Status.READY and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


def _watcher(request: HttpRequest, pk: int) -> tuple[int, Video]:
    member_id = own_member_id(request.user)
    if not member_id:
        raise Http404("只有党员本人可以观看计时")
    return member_id, _video_for(request, pk)


@login_required
@require_POST
def video_start(request: HttpRequest, pk: int) -> JsonResponse:
    member_id, video = _watcher(request, pk)
    if not video.playable:
        raise Http404("该教育片正在转码，暂不能观看")
    started = watching.start_stream(member_id=member_id, video=video)
    return JsonResponse({"stream": started.stream, "key": started.key, "position": started.position})


@login_required
@require_POST
def video_beat(request: HttpRequest, pk: int) -> JsonResponse:
    """A heartbeat. Its access check is made inside the heartbeat's own read of the member's progress row
    (`watching.checked_heartbeat`); when that finds no assignment reaching the member (or no stream started),
    the page's check decides (staff in the video's scope may watch too, anyone else gets 404) and the plain
    heartbeat answers, with the same refusals."""
    member_id = own_member_id(request.user)
    if not member_id:
        raise Http404("只有党员本人可以观看计时")
    try:
        body = json.loads(request.body or b"{}")
        stream, seq, position = str(body["stream"]), int(body["seq"]), float(body["position"])
        hidden, signature = bool(body.get("hidden")), str(body.get("sig", ""))
        result = watching.checked_heartbeat(
            member_id=member_id,
            video_id=pk,
            stream=stream,
            seq=seq,
            position=position,
            hidden=hidden,
            signature=signature,
        )
        if result is None:
            result = watching.heartbeat(
                member_id=member_id,
                video=_video_for(request, pk),
                stream=stream,
                seq=seq,
                position=position,
                hidden=hidden,
                signature=signature,
            )
    except (ValueError, KeyError, TypeError):
        _video_for(request, pk)  # a video the caller may not watch is a 404 before any 400
        return JsonResponse({"detail": "心跳数据格式错误"}, status=400)
    status = 200 if result.accepted else 409
    return JsonResponse(
        {
            "accepted": result.accepted,
            "credited": result.credited,
            "total": result.total,
            "completed": result.completed,
            "reason": result.reason,
        },
        status=status,
    )


@login_required
@require_POST
def video_assign(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    video = get_for_user(Video.objects.all(), request.user, pk, write=True)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查观看任务的填写")
        return redirect("learning:video_detail", pk)
    d = form.cleaned_data
    org = focus_org(request) if request.POST.get("org") else video.org
    try:
        assignment = video_svc.assign_video(
            actor=request.user,
            data=video_svc.AssignmentData(
                video, org, d["kind"], d["due_on"], list(d["titles"]), candidates=d["candidates"]
            ),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("learning:video_detail", pk)
    messages.success(request, "已发布观看任务")
    return redirect("learning:assignment_detail", assignment.pk)


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    assignment = get_for_user(VideoAssignment.objects.select_related("video", "org"), request.user, pk)
    done = video_svc.completion(assignment)
    anomalies = (
        WatchAnomaly.objects.visible_to(request.user)
        .filter(video=assignment.video)
        .select_related("member")[:20]
    )
    candidates = candidate_rows(assignment.org) if assignment.candidates else []
    if request.GET.get("format") == "xlsx":
        return _missing_export(assignment, done, candidates)
    context = {
        "assignment": assignment,
        "done": done,
        "page": page_of(request, done.missing),
        "branches": by_branch(done),
        "candidates": candidates,
        "anomalies": anomalies,
    }
    return render(request, "learning/assignment_detail.html", context)


def _missing_export(
    assignment: VideoAssignment, done: video_svc.Completion, candidates: list[CandidateRow]
) -> HttpResponse:
    title = f"{assignment.get_kind_display()}《{assignment.video.title}》未完成名单"
    rows: list[list[object]] = [
        [i, m.name, m.org.name, "党员", ""] for i, m in enumerate(done.missing.iterator(), 1)
    ]
    start = len(rows)
    rows += [
        [start + i, c.candidate.name, c.candidate.org_name, "发展对象", f"集中培训 {c.hours} 学时"]
        for i, c in enumerate(candidates, 1)
    ]
    body = xlsx(title, ["序号", "姓名", "所在党组织", "类别", "备注"], rows)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response
