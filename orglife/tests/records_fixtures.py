"""Helpers for the 纪实 tests: pictures made in memory, and records made through the services."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import make_user
from orglife.models import MeetingRecord
from orglife.periods import SHANGHAI
from orglife.services import records as svc
from orgs.models import Organization
from orgs.roles import Role


def picture(seed: int = 1, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A smooth random picture: distinct per seed, stable under re-compression (like a real photo)."""
    rnd = random.Random(seed)
    small = Image.frombytes("RGB", (8, 6), bytes(rnd.randrange(256) for _ in range(8 * 6 * 3)))
    return small.resize(size, Image.Resampling.BILINEAR)


def jpeg_bytes(
    seed: int = 1, *, quality: int = 90, exif: bytes | None = None, size: tuple[int, int] = (320, 240)
) -> bytes:
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    picture(seed, size).save(out, "JPEG", **kwargs)
    return out.getvalue()


def upload(data: bytes, name: str = "会议.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo(seed: int = 1, name: str = "会议.jpg") -> SimpleUploadedFile:
    return upload(jpeg_bytes(seed), name)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def everyone_present(
    org: Organization, meeting_type: str = "theme_day", group: Any = None
) -> list[svc.AttendanceEntry]:
    return [svc.AttendanceEntry(m.pk, True) for m in svc.roster_for(org, meeting_type, group).due]


def data(
    org: Organization,
    *,
    day: dt.date = dt.date(2026, 10, 15),
    meeting_type: str = "theme_day",
    attendance: list[svc.AttendanceEntry] | None = None,
    **extra: Any,
) -> svc.RecordData:
    values: dict[str, Any] = {
        "meeting_type": meeting_type,
        "topic": "学习贯彻党的二十届四中全会精神",
        "started_at": at(day),
        "ended_at": at(day, 11),
        "place": "三楼会议室",
        "host_name": "李建国",
        "recorder_name": "王0华",
        "content": "传达学习全会精神，交流心得体会。",
    }
    if meeting_type == "lecture":
        values["lecturer_name"] = "李建国"
    values.update(extra)
    if attendance is None:
        attendance = everyone_present(org, meeting_type, values.get("group"))
    return svc.RecordData(attendance=attendance, **values)


def run_photo_checks() -> None:
    """What the worker does after commit: the reused-photo check task of every record 照片查重中 (called
    directly; the worker itself runs in test_photo_check_task)."""
    from orglife import tasks

    for pk in MeetingRecord.objects.filter(photos_pending=True).order_by("pk").values_list("pk", flat=True):
        tasks.check_record_photos_task.call(pk)


def draft(
    actor: Any, org: Organization, *, photos: int = 1, seed: int = 1, check: bool = True, **extra: Any
) -> MeetingRecord:
    """A draft with `photos` pictures; unless `check` is False their reuse check has run (as the worker
    would run it right after the request), and the returned record shows its outcome."""
    record = svc.create_record(
        actor=actor, org=org, data=data(org, **extra), photos=[photo(seed + i) for i in range(photos)]
    )
    if photos and check:
        run_photo_checks()
        record.refresh_from_db()
    return record


def approved(actor: Any, org: Organization, **extra: Any) -> MeetingRecord:
    record = draft(actor, org, **extra)
    svc.submit_record(actor=actor, record=record)
    return svc.approve_record(actor=actor, record=record)


def branch_admin(org: Organization, username: str = "branch_admin") -> Any:
    return make_user(username, Role.BRANCH_ADMIN, org)
