"""The education-video library: publishing a video (its file checked by content, not by name), assigning it as
必看 or 选看 to an audience, and resolving who that audience is today."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning.models import Video, VideoAssignment, WatchProgress
from learning.services import uploads
from learning.services.common import aware, require_writer
from orgs.access import get_for_user, has_any_scope, own_member_id
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q
from orgs.stages import Candidate, candidates_under


@dataclass
class VideoData:
    org: Organization
    title: str
    category: str
    duration: int
    tags: str = ""
    source: str = ""
    upload: Any = None


@transaction.atomic
def publish_video(*, actor: Any, data: VideoData) -> Video:
    """A catalogue entry, with its uploaded file checked by content and queued for transcoding (the video is
    playable once the task has made its MP4). Without a file the duration must be given; with one, a blank
    duration is measured from the file."""
    require_writer(actor, data.org)
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写片名"
    if not data.category.strip():
        errors["category"] = "请填写类别"
    if data.upload is None and not 1 <= data.duration <= 6 * 3600:
        errors["duration"] = "时长应在 1 秒到 6 小时之间"
    if errors:
        raise ValidationError(errors)
    incoming = ""
    duration = data.duration
    if data.upload is not None:
        incoming, probe = uploads.receive_upload(data.upload)
        duration = duration or max(1, round(probe.duration))
    try:
        video = Video.objects.create(
            org=data.org,
            title=data.title.strip(),
            category=data.category.strip(),
            tags=data.tags.strip(),
            source=data.source.strip(),
            duration=duration,
            status=Video.Status.PROCESSING if incoming else Video.Status.READY,
            original=incoming,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_event(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=video,
            org=data.org,
            summary={"video": video.title, "upload": bool(incoming)},
        )
    except BaseException:
        if incoming:
            uploads.discard_upload(incoming)
        raise
    if incoming:
        uploads.queue_transcode(video)
    return video


@dataclass
class AssignmentData:
    video: Video
    org: Organization
    kind: str
    due_on: dt.date
    titles: list[str] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    candidates: bool = False


@transaction.atomic
def assign_video(*, actor: Any, data: AssignmentData, today: dt.date | None = None) -> VideoAssignment:
    require_writer(actor, data.org)
    errors: dict[str, str] = {}
    if data.kind not in VideoAssignment.Kind.values:
        errors["kind"] = "请选择必看或选看"
    if data.due_on < (today or timezone.localdate()):
        errors["due_on"] = "截止日期不能早于今天"
    unknown = set(data.titles) - set(Position.Title.values)
    if unknown:
        errors["titles"] = "职务无效"
    if not data.video.org.path.startswith(data.org.path) and not data.org.path.startswith(
        data.video.org.path
    ):
        errors["org"] = "该教育片不在此范围内发布"
    members = list(Member.objects.filter(pk__in=data.member_ids, org__path__startswith=data.org.path))
    if len(members) != len(set(data.member_ids)):
        errors["member_ids"] = "指定党员须在该范围内"
    if errors:
        raise ValidationError(errors)
    assignment = VideoAssignment.objects.create(
        video=data.video,
        org=data.org,
        kind=data.kind,
        due_on=data.due_on,
        titles=sorted(data.titles),
        candidates=data.candidates,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.members.set(members)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=assignment,
        org=data.org,
        summary={
            "video": data.video.title,
            "kind": data.kind,
            "due_on": str(data.due_on),
            "candidates": data.candidates,
        },
    )
    return assignment


def audience(assignment: VideoAssignment, on: dt.date | None = None) -> QuerySet[Member]:
    """The members who must (or may) watch, resolved now: the members under the node today (a member who moved
    in is in, one who moved out is out), narrowed to the posts held on `on`, or the named members. An
    assignment to 发展对象 alone reaches no member (see `candidate_audience`)."""
    members = Member.objects.filter(under_path_q(assignment.org.path, "org__path")).active()
    named = list(assignment.members.values_list("pk", flat=True))
    if named:
        return members.filter(pk__in=named)
    if assignment.candidates and not assignment.titles:
        return members.none()
    if assignment.titles:
        day = on or timezone.localdate()
        holders = Position.objects.filter(title__in=assignment.titles, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )
        members = members.filter(pk__in=holders.values("member_id"))
    return members


def candidate_audience(assignment: VideoAssignment) -> list[Candidate]:
    """The 发展对象 under the node today (development answers through orgs.stages): one who has become a
    预备党员 since the assignment has left the list (and is a member from then on)."""
    return candidates_under(assignment.org.path) if assignment.candidates else []


@dataclass
class Completion:
    due: int
    done: int
    missing: QuerySet[Member]

    @property
    def rate(self) -> int:
        return 100 if not self.due else int(self.done * 100 / self.due)


def completion(assignment: VideoAssignment) -> Completion:
    """Due and done in one statement (a completed viewing is probed per member on its unique index), and the
    members who have not watched in path order."""
    members = audience(assignment)
    watched = Exists(
        WatchProgress.objects.filter(
            member_id=OuterRef("pk"), video_id=assignment.video_id, completed_at__isnull=False
        )
    )
    counts = members.aggregate(due=Count("pk"), done=Count("pk", filter=watched))
    missing = members.exclude(watched).select_related("org").order_by("org__path", "pk")
    return Completion(counts["due"], counts["done"], missing)


@dataclass
class Reach:
    """What decides whether an assignment's audience holds one member, read for that member alone: their status,
    their node's path and (for post-limited assignments) their posts, against the assignment's node, posts and
    named list. `audience` makes the same test for everyone at once."""

    member_id: int
    status: str
    member_path: str
    org_path: str
    titles: list[str]
    candidates: bool
    named_any: bool
    named_me: bool

    def holds(self, on: dt.date | None = None) -> bool:
        if self.status not in Member.ACTIVE_STATUSES or not self.member_path.startswith(self.org_path):
            return False
        if self.named_any:
            return self.named_me
        if self.candidates and not self.titles:
            return False
        if self.titles:
            day = on or timezone.localdate()
            return (
                Position.objects.filter(member_id=self.member_id, title__in=self.titles, started_on__lte=day)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
                .exists()
            )
        return True


def assignments_for(member: Member, *, with_watched: bool = False) -> list[VideoAssignment]:
    """The member's current assignments: those to the member's node or one above it whose audience holds them
    (one statement; the named lists are probed by index, never read whole). With `with_watched`, each has
    `watched`: whether the member has watched its video to the end (an EXISTS on the member's progress row,
    in the same statement)."""
    path = member.org.path
    named = VideoAssignment.members.through.objects.filter(videoassignment_id=OuterRef("pk"))
    candidates = (
        VideoAssignment.objects.filter(org__path__in=[path[:i] for i in range(1, len(path) + 1)])
        .select_related("video", "org")
        .annotate(named_any=Exists(named), named_me=Exists(named.filter(member_id=member.pk)))
    )
    if with_watched:
        candidates = candidates.annotate(
            watched=Exists(
                WatchProgress.objects.filter(
                    member_id=member.pk, video_id=OuterRef("video_id"), completed_at__isnull=False
                )
            )
        )
    return [
        a
        for a in candidates
        if Reach(
            member.pk,
            member.status,
            path,
            a.org.path,
            a.titles,
            a.candidates,
            getattr(a, "named_any"),  # noqa: B009 (annotated above)
            getattr(a, "named_me"),  # noqa: B009
        ).holds()
    ]


REACH_COLUMNS = 7  # the leading columns of `reach_sql`'s rows that `reaches` reads


@functools.cache
def reach_sql(columns: str, join: str = "") -> str:
    """One statement reading this video's assignments on the member's path (parameters: member id, video id),
    each row with what `Reach` needs (the member's status and path, the assignment's node, posts and named-list
    probes: the first REACH_COLUMNS columns), then `columns` (over `v` the video, `m` the member and whatever
    `join` adds)."""
    t = {m: m._meta.db_table for m in (Video, VideoAssignment, Member, Organization)}
    named = VideoAssignment.members.through._meta.db_table
    return (
        f"SELECT m.status, mo.path, ao.path, a.titles, a.candidates,"
        f" EXISTS (SELECT 1 FROM {named} n WHERE n.videoassignment_id = a.id),"
        f" EXISTS (SELECT 1 FROM {named} n WHERE n.videoassignment_id = a.id AND n.member_id = m.id),"
        f" {columns}"
        f" FROM {t[Video]} v JOIN {t[VideoAssignment]} a ON a.video_id = v.id"
        f" JOIN {t[Organization]} ao ON ao.id = a.org_id"
        f" JOIN {t[Member]} m ON m.id = %s JOIN {t[Organization]} mo ON mo.id = m.org_id{join}"
        f" WHERE v.id = %s AND substr(mo.path, 1, length(ao.path)) = ao.path"
    )


def reaches(member_id: int, row: tuple[Any, ...] | list[Any]) -> bool:
    """Whether the assignment of one `reach_sql` row reaches the member (`Reach` over its leading columns)."""
    status, member_path, org_path, titles, candidates, named_any, named_me = row[:REACH_COLUMNS]
    return Reach(
        member_id,
        status,
        member_path,
        org_path,
        json.loads(titles) if isinstance(titles, str) else titles,
        bool(candidates),
        bool(named_any),
        bool(named_me),
    ).holds()


def watchable(member_id: int, video_id: int) -> Video | None:
    """The video if one of its assignments reaches the member, else None: the access check of the watching
    endpoints. One hand-written statement through the cursor (the ORM's compilation of the same query cost
    more than the rest of the heartbeat) reads only this video's assignments on the member's path, with the
    member's row and the named-list probes; `Reach` decides as it does for the library page. (The heartbeat
    makes the same check inside its own read: services.watching.checked_heartbeat.)"""
    fields = Video._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(reach_sql(", ".join(f"v.{f.column}" for f in fields)), [member_id, video_id])
        rows = cursor.fetchall()
    for row in rows:
        if reaches(member_id, row):
            video = row[REACH_COLUMNS:]
            values = [
                aware(v) if isinstance(f, DateTimeField) else v for f, v in zip(fields, video, strict=True)
            ]
            return Video.from_db(connection.alias, [f.attname for f in fields], values)
    return None


def video_for_user(user: Any, pk: Any) -> Video:
    """A staff user in the video's scope, or a member whom one of its assignments reaches; else 404."""
    if has_any_scope(user):
        try:
            return get_for_user(Video.objects.all(), user, pk)
        except Http404:
            pass
    member_id = own_member_id(user)
    video = watchable(member_id, int(pk)) if member_id and str(pk).isdigit() else None
    if video is None:
        raise Http404("未找到该教育片，或您无权观看")
    return video


@transaction.atomic
def add_videos(*, items: list[VideoData]) -> list[Video]:
    """The bulk path (history imports, the demo): catalogue entries without files, checked as publish_video checks."""
    problems = [
        f"第 {i} 条：片名、类别和时长须填写"
        for i, d in enumerate(items, 1)
        if not (d.title.strip() and d.category.strip() and d.duration > 0)
    ]
    if problems:
        raise ValidationError(problems)
    return Video.objects.bulk_create(
        Video(
            org=d.org,
            title=d.title.strip(),
            category=d.category.strip(),
            tags=d.tags,
            source=d.source,
            duration=d.duration,
        )
        for d in items
    )


@transaction.atomic
def add_assignments(*, items: list[AssignmentData]) -> list[VideoAssignment]:
    """The bulk path of assign_video for whole-subtree audiences (the demo)."""
    problems = [
        f"第 {i} 条：类型无效" for i, d in enumerate(items, 1) if d.kind not in VideoAssignment.Kind.values
    ]
    if problems:
        raise ValidationError(problems)
    return VideoAssignment.objects.bulk_create(
        VideoAssignment(video=d.video, org=d.org, kind=d.kind, due_on=d.due_on, titles=sorted(d.titles))
        for d in items
    )
