"""微党课: recording a lesson gives the speaker the points item of the catalogue (points' own service) and
every member present at the linked 主题党日/党课 record the lesson's length as 学时 (L-06: 1 学时 an hour);
deleting the lesson reverses both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning.defaults import rules
from learning.models import Lesson, StudyEntry
from learning.services.common import require_writer
from orglife.models import Attendance, MeetingRecord
from orgs.models import Member, Organization
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


def lesson_hours(minutes: int) -> Decimal:
    """The 学时 of a lesson: its length at the conversion rate, in half hours (at least 0.5)."""
    raw = Decimal(minutes) / Decimal(60) * rules().study_hours_per_hour
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
    lesson = Lesson.objects.create(
        org=data.org,
        speaker=data.speaker,
        topic=data.topic.strip(),
        given_on=data.given_on,
        minutes=data.minutes,
        outline=data.outline.strip(),
        record=data.record,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    hours = lesson_hours(data.minutes)
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
                hours=lesson_hours(lesson.minutes),
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
