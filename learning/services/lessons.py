"""微党课: recording a lesson gives the speaker the points item of the catalogue (points' own service) and
every member present at the linked 主题党日/党课 record the lesson's length as 学时 (L-06: at the rate of the
conversion table in force on the lesson's date, 1 学时 an hour by default); deleting the lesson reverses both."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning import media
from learning.conversions import ConversionTable, conversion_on
from learning.defaults import rules
from learning.models import Conversion, Lesson, StudyEntry
from learning.services import uploads, videos
from learning.services.common import require_writer
from orglife.models import Attendance, MeetingRecord
from orglife.uploads import clean_document
from orgs.models import Member, Organization
from personal.files import open_private
from points.services.ledger import AutomaticAward, add_entries, award_automatic, reverse_automatic

SOURCE_TYPE = "learning_lesson"


@dataclass
class LessonData:
    org: Organization
    speaker: Member
    topic: str
    given_on: dt.date
    minutes: int
    outline: str = ""
    record: MeetingRecord | None = None
    upload: Any = None  # 课件 (PDF, .pptx) or the lesson's video, told apart by content


SLIDES = "learning/slides"
SLIDE_KINDS = ("pdf", "pptx")
LESSON_CATEGORY = "微党课"


def slides_max_bytes() -> int:
    return int(getattr(settings, "LEARNING_SLIDES_MAX_MB", 50)) * 1024 * 1024


def is_document(upload: Any) -> bool:
    """PDF or an Office (zip) package by the first bytes; anything else is checked as a video or audio."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return bool(head.startswith(b"%PDF-") or head.startswith(b"PK\x03\x04"))


def slides_path(lesson: Lesson) -> str:
    return uploads.media_path(f"{SLIDES}/{lesson.slides_file}").as_posix()


def lesson_hours(minutes: int, given_on: dt.date, conversion: Conversion | None = None) -> Decimal:
    """The 学时 of a lesson: its length at the rate of the conversion table in force on its date (L-06), in half
    hours (at least 0.5)."""
    rate = (conversion or conversion_on(given_on)).study_hours_per_hour
    raw = Decimal(minutes) / Decimal(60) * rate
    halves = (raw * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(halves / 2, Decimal("0.5"))


def lesson_errors(data: LessonData, today: dt.date) -> dict[str, str]:
    r = rules()
    errors: dict[str, str] = {}
    if not data.topic.strip():
        errors["topic"] = "请填写微党课题目"
    if data.given_on > today:
        errors["given_on"] = "授课日期不能晚于今天"
    if not r.lesson_min_minutes <= data.minutes <= r.lesson_max_minutes:
        errors["minutes"] = f"时长应在 {r.lesson_min_minutes}–{r.lesson_max_minutes} 分钟之间"
    if not data.speaker.org.path.startswith(data.org.path):
        errors["speaker"] = "授课人不是该组织的党员"
    elif data.speaker.status not in Member.ACTIVE_STATUSES:
        errors["speaker"] = "授课人不在正常党员状态"
    record = data.record
    if record is not None:
        if record.org_id != data.org.pk:
            errors["record"] = "所选纪实不属于该组织"
        elif record.status != MeetingRecord.Status.APPROVED:
            errors["record"] = "只能关联已审核通过的纪实"
        elif record.meeting_type not in r.study_meeting_types:
            errors["record"] = "只能关联主题党日或党课的纪实"
        elif timezone.localtime(record.started_at).date() != data.given_on:
            errors["record"] = "纪实的会议日期与授课日期不一致"
    return errors


def audience(record: MeetingRecord | None) -> list[int]:
    if record is None:
        return []
    return list(
        Attendance.objects.filter(record=record, status=Attendance.Status.PRESENT)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


@transaction.atomic
def give_lesson(*, actor: Any, data: LessonData, today: dt.date | None = None) -> Lesson:
    require_writer(actor, data.org)
    errors = lesson_errors(data, today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    written: list[
        str
    ] = []  # files to remove if anything below fails (the rows roll back with the transaction)
    try:
        return _give(actor, data, written)
    except BaseException:
        media.remove_quietly(*written)
        raise


def _attachment(actor: Any, data: LessonData, written: list[str]) -> dict[str, Any]:
    """The fields for the lesson's 课件 or video; the slides are written to disk, the video published to the
    library (category 微党课) through the library's own upload, content check and transcoding."""
    if data.upload is None:
        return {}
    if is_document(data.upload):
        try:
            clean = clean_document(
                data.upload,
                kinds=SLIDE_KINDS,
                limit=slides_max_bytes(),
                what="课件",
                allowed="PDF、PowerPoint .pptx",
            )
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from exc
        name = f"{secrets.token_hex(16)}.{clean.extension}"
        path = uploads.media_path(f"{SLIDES}/{name}")
        written.append(path.as_posix())
        with open_private(path, "wb") as out:
            out.write(clean.content)
        return {
            "slides_file": name,
            "slides_name": clean.original_name,
            "slides_type": clean.content_type,
            "slides_size": len(clean.content),
        }
    video = videos.publish_video(
        actor=actor,
        data=videos.VideoData(
            org=data.org,
            title=data.topic.strip()[:120],
            category=LESSON_CATEGORY,
            duration=0,
            source=f"{data.speaker.name} 讲授"[:120],
            upload=data.upload,
        ),
    )
    if video.original:
        written.append(uploads.media_path(f"{uploads.INCOMING}/{video.original}").as_posix())
    return {"video": video}


def _give(actor: Any, data: LessonData, written: list[str]) -> Lesson:
    extra = _attachment(actor, data, written)
    lesson = Lesson.objects.create(
        org=data.org,
        speaker=data.speaker,
        topic=data.topic.strip(),
        given_on=data.given_on,
        minutes=data.minutes,
        outline=data.outline.strip(),
        record=data.record,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )
    hours = lesson_hours(data.minutes, data.given_on)
    StudyEntry.objects.bulk_create(
        StudyEntry(
            member_id=member_id,
            year=data.given_on.year,
            studied_on=data.given_on,
            hours=hours,
            kind=StudyEntry.Kind.LESSON,
            title=f"微党课：{lesson.topic}"[:120],
            lesson=lesson,
            recorded_by=lesson.created_by,
        )
        for member_id in audience(data.record)
    )
    item = rules().lesson_points_item
    awarded = None
    if item:
        awarded = award_automatic(
            actor=lesson.created_by,
            member=data.speaker,
            item_code=item,
            occurred_on=data.given_on,
            source_type=SOURCE_TYPE,
            source_id=str(lesson.pk),
            note=f"微党课：{lesson.topic}"[:200],
        )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=lesson,
        org=data.org,
        summary={
            "lesson": lesson.topic,
            "hours": str(hours),
            "audience": lesson.entries.count(),
            "points": bool(awarded),
            "slides": lesson.slides_name,
            "video": lesson.video_id,
        },
    )
    return lesson


@transaction.atomic
def delete_lesson(*, actor: Any, lesson: Lesson, reason: str) -> None:
    require_writer(actor, lesson.org)
    if not reason.strip():
        raise ValidationError({"reason": "请说明删除原因"})
    reverse_automatic(actor=actor, source_type=SOURCE_TYPE, source_id=str(lesson.pk), reason=reason.strip())
    record_event(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target_repr=f"微党课 {lesson.pk} {lesson.topic}",
        org=lesson.org,
        summary={"reason": reason.strip()[:200], "entries_removed": lesson.entries.count()},
    )
    if lesson.slides_file:
        path = slides_path(lesson)
        transaction.on_commit(lambda: media.remove_quietly(path))
    # A lesson's video stays in the library (it may be assigned as 必看); only the link goes.
    lesson.delete()  # its 学时 entries go with it (CASCADE)


@transaction.atomic
def add_lessons(*, items: list[LessonData], today: dt.date) -> list[Lesson]:
    """The bulk path (history imports, the demo): every lesson checked by `lesson_errors`, all or nothing;
    the audience's 学时 and the speakers' points written as `give_lesson` writes them, in a few queries.
    No audit row per lesson: the operator's command records the load."""
    problems: list[str] = []
    for i, data in enumerate(items, 1):
        for field, text in lesson_errors(data, today).items():
            problems.append(f"第 {i} 条（{field}）：{text}")
    if problems:
        raise ValidationError(problems)
    lessons = Lesson.objects.bulk_create(
        Lesson(
            org=d.org,
            speaker=d.speaker,
            topic=d.topic.strip(),
            given_on=d.given_on,
            minutes=d.minutes,
            outline=d.outline.strip(),
            record=d.record,
        )
        for d in items
    )
    table = ConversionTable()
    present: dict[int, list[int]] = {}
    record_ids = [d.record.pk for d in items if d.record is not None]
    for record_id, member_id in (
        Attendance.objects.filter(record_id__in=record_ids, status=Attendance.Status.PRESENT)
        .order_by("record_id", "member_id")
        .values_list("record_id", "member_id")
    ):
        present.setdefault(record_id, []).append(member_id)
    StudyEntry.objects.bulk_create(
        (
            StudyEntry(
                member_id=member_id,
                year=lesson.given_on.year,
                studied_on=lesson.given_on,
                hours=lesson_hours(lesson.minutes, lesson.given_on, table.on(lesson.given_on)),
                kind=StudyEntry.Kind.LESSON,
                title=f"微党课：{lesson.topic}"[:120],
                lesson=lesson,
            )
            for lesson in lessons
            if lesson.record_id
            for member_id in present.get(lesson.record_id, [])
        ),
        batch_size=2000,
    )
    item = rules().lesson_points_item
    if item:
        add_entries(
            actor=None,
            awards=[
                AutomaticAward(
                    lesson.speaker_id,
                    item,
                    lesson.given_on,
                    SOURCE_TYPE,
                    str(lesson.pk),
                    f"微党课：{lesson.topic}"[:200],
                )
                for lesson in lessons
            ],
        )
    return lessons
