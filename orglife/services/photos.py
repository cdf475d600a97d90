"""Reused photos, the people's side: the check task settles a record's photos, a secretary explains a pair,
the patrol accepts or rejects it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from orglife.models import MeetingRecord, PhotoMatch, RecordAttachment
from orglife.services.patrol import can_patrol
from orglife.services.photo_checks import check_stored, refresh_flags, settle_pending
from orglife.services.records import add_event, can_create


@dataclass(frozen=True)
class PhotoCheck:
    checked: int  # photos this run checked (photos already checked by another run are skipped)
    pairs: int
    settled: bool  # this run cleared the record's 照片查重中


def check_record_photos(*, record_id: int) -> PhotoCheck:
    """The upload's check task: every photo of the record not yet checked, oldest first (so a photo repeated
    inside the record meets its first copy), each in its own transaction; then the record's 照片查重中 is
    cleared and its history says what was found — once, by whichever run clears it. Safe to run twice."""
    photos = RecordAttachment.objects.filter(
        record_id=record_id, kind=RecordAttachment.Kind.PHOTO, checked_at__isnull=True
    )
    checked = pairs = 0
    for attachment in photos.select_related("record").order_by("pk"):
        found = check_stored(attachment)
        if found is not None:
            checked, pairs = checked + 1, pairs + len(found)
    with transaction.atomic():
        settled = settle_pending(record_id)
        if settled:
            record = MeetingRecord.objects.get(pk=record_id)
            reused = record.attachments.filter(reused_from__isnull=False).values_list(
                "original_name", flat=True
            )
            add_event(record, "photos_checked", None, reused=list(reused), reuse_flag=record.photo_reused)
    return PhotoCheck(checked, pairs, settled)


# A check task normally runs seconds after the upload; photos waiting longer lost their task (a worker killed
# mid-way: its task is failed by notifications' reclaim, not run again).
STALE = dt.timedelta(minutes=10)


def check_waiting_records(*, now: dt.datetime | None = None) -> int:
    """The hourly sweep (orglife.jobs): every record still 照片查重中 with no photo uploaded in the last
    STALE is checked here, as its task would have; the number of records settled."""
    cutoff = (now or timezone.now()) - STALE
    recent = RecordAttachment.objects.filter(
        record=OuterRef("pk"),
        kind=RecordAttachment.Kind.PHOTO,
        checked_at__isnull=True,
        created_at__gte=cutoff,
    )
    waiting = MeetingRecord.objects.filter(photos_pending=True).exclude(Exists(recent)).order_by("pk")
    return sum(check_record_photos(record_id=pk).settled for pk in waiting.values_list("pk", flat=True))


@transaction.atomic
def explain_match(*, actor: User, match: PhotoMatch, explanation: str) -> PhotoMatch:
    """The secretary of either record explains a pair (e.g. 同一活动多次记录); the patrol reviews it."""
    text = (explanation or "").strip()
    if not text:
        raise ValidationError({"explanation": ["请填写情况说明"]})
    if len(text) > 300:
        raise ValidationError({"explanation": ["情况说明不超过 300 字"]})
    match = (
        PhotoMatch.objects.select_for_update()
        .select_related("record__org", "other_record__org")
        .get(pk=match.pk)
    )
    if not (can_create(actor, match.record.org) or can_create(actor, match.other_record.org)):
        raise PermissionDenied("只有相关支部的书记或支部管理员可以填写情况说明")
    if match.review == PhotoMatch.Review.ACCEPTED:
        raise ValidationError({"explanation": ["说明已被认可，无需再次说明"]})
    match.explanation, match.explained_by, match.explained_at = text, actor, timezone.now()
    match.review = PhotoMatch.Review.EXPLAINED
    match.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=match,
        org=match.record.org,
        summary={"explanation": text, "record": match.record_id},
    )
    return match


@transaction.atomic
def review_match(*, actor: User, match: PhotoMatch, accept: bool) -> PhotoMatch:
    """The patrol over the later record (巡查员, 党(工)委 or 组织部 administrators) accepts or rejects an
    explanation; an accepted one no longer flags the records."""
    match = PhotoMatch.objects.select_for_update().select_related("record__org").get(pk=match.pk)
    if not can_patrol(actor, match.record.org.path):
        raise PermissionDenied("只有巡查员或上级党组织管理员可以核查照片情况说明")
    if match.review != PhotoMatch.Review.EXPLAINED:
        raise ValidationError({"review": ["只有已填写情况说明的比对可以核查"]})
    match.review = PhotoMatch.Review.ACCEPTED if accept else PhotoMatch.Review.REJECTED
    match.reviewed_by, match.reviewed_at = actor, timezone.now()
    match.save()
    refresh_flags({match.record_id, match.other_record_id})
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=match,
        org=match.record.org,
        summary={"review": match.review},
    )
    return match
