"""Photos sent in chunks from a phone on a weak connection (the offline outbox, static/js/outbox.js).

A photo is cut into chunks the device numbers from 0; each chunk is stored under the upload's id and
its index, so sending a chunk again overwrites it with the same bytes. When all have arrived the device
asks to complete: the chunks are joined and handed to `records.add_attachments`, which checks the photo
by its content and re-encodes it without EXIF as for any upload. Completing twice stores it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from orglife import defaults, uploads
from orglife.models import MeetingRecord, PhotoUpload, RecordAttachment
from orglife.services import records

CHUNK_MAX = 512 * 1024  # the device sends 256 KB; a little room for other clients
MAX_CHUNKS = 64  # 64 × 256 KB covers the largest photo accepted (uploads.photo_max_bytes, 15 MB)


@dataclass
class UploadState:
    received: list[int]
    total: int
    attachment: RecordAttachment | None
    done: bool


CHUNKS_ROOT = "orglife/chunks"


def chunk_path(upload: PhotoUpload, index: int) -> str:
    return f"{CHUNKS_ROOT}/{upload.record_id}/{upload.upload_id}/{index:04d}"


def _check(actor: User, record: MeetingRecord) -> None:
    if not records.can_create(actor, record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以上传照片")
    if record.status not in records.EDITABLE:
        raise records.RecordLocked("只有草稿或被退回的纪实可以添加照片和附件")


def _upload(actor: User, record: MeetingRecord, upload_id: str, *, total: int, name: str) -> PhotoUpload:
    """The upload's row, made by its first chunk (two first chunks at once: one row)."""
    found = PhotoUpload.objects.filter(record=record, upload_id=upload_id).first()
    if found is not None:
        if found.total != total:
            raise ValidationError({"photos": ["同一张照片的分块数不一致，请重新选择照片"]})
        return found
    if not 1 <= total <= MAX_CHUNKS:
        raise ValidationError({"photos": ["照片分块数不正确（照片过大时请压缩后再上传）"]})
    open_count = PhotoUpload.objects.filter(record=record, completed_at__isnull=True).count()
    if open_count >= uploads.MAX_PHOTOS:
        raise ValidationError({"photos": [f"未完成上传的照片过多（最多 {uploads.MAX_PHOTOS} 张）"]})
    try:
        with transaction.atomic():
            return PhotoUpload.objects.create(
                record=record,
                upload_id=upload_id,
                original_name=(name or "照片.jpg")[:200],
                total=total,
                created_by=actor,
            )
    except IntegrityError:
        return PhotoUpload.objects.get(record=record, upload_id=upload_id)


def receive_chunk(
    *,
    actor: User,
    record: MeetingRecord,
    upload_id: str,
    index: int,
    total: int,
    name: str,
    data: bytes,
) -> UploadState:
    """Store chunk `index` of `total`; sending the same chunk again replaces it (same bytes, no harm)."""
    _check(actor, record)
    if not records.CLIENT_KEY.fullmatch(upload_id):
        raise ValidationError({"photos": ["照片上传标识格式不正确，请重新选择照片"]})
    if not data:
        raise ValidationError({"photos": ["照片分块是空的"]})
    if len(data) > CHUNK_MAX:
        raise ValidationError({"photos": [f"照片分块超过 {CHUNK_MAX // 1024}KB"]})
    upload = _upload(actor, record, upload_id, total=total, name=name)
    if not 0 <= index < upload.total:
        raise ValidationError({"photos": ["照片分块序号不正确"]})
    if upload.completed_at is None:
        path = chunk_path(upload, index)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(data))
    return upload_state(upload)


def upload_state(upload: PhotoUpload) -> UploadState:
    done = upload.completed_at is not None
    received = (
        list(range(upload.total))
        if done
        else [i for i in range(upload.total) if default_storage.exists(chunk_path(upload, i))]
    )
    return UploadState(received, upload.total, upload.attachment, done)


@transaction.atomic
def complete_upload(*, actor: User, record: MeetingRecord, upload_id: str) -> UploadState:
    """Join the chunks and store the photo through `records.add_attachments` (content check, EXIF
    stripped, reuse check). A second call answers the first result and stores nothing."""
    upload = PhotoUpload.objects.select_for_update().filter(record=record, upload_id=upload_id).first()
    if upload is not None and upload.completed_at is not None:
        return upload_state(upload)
    _check(actor, record)
    if upload is None:
        raise ValidationError({"photos": ["没有收到这张照片，请重新上传"]})
    missing = [i for i in range(upload.total) if not default_storage.exists(chunk_path(upload, i))]
    if missing:
        raise ValidationError({"photos": [f"照片还有 {len(missing)} 个分块未收到，请继续上传"]})
    parts = []
    for i in range(upload.total):
        with default_storage.open(chunk_path(upload, i), "rb") as handle:
            parts.append(handle.read())
    photo = ContentFile(b"".join(parts), name=upload.original_name)
    saved = records.add_attachments(actor=actor, record=record, photos=[photo])
    upload.attachment = saved[0]
    upload.completed_at = timezone.now()
    upload.save(update_fields=["attachment", "completed_at"])
    paths = [chunk_path(upload, i) for i in range(upload.total)]
    transaction.on_commit(lambda: _remove(paths))
    return upload_state(upload)


def _remove(paths: list[str]) -> None:
    for path in paths:
        if default_storage.exists(path):
            default_storage.delete(path)


def chunks_max_age() -> dt.timedelta:
    hours = int(
        getattr(settings, "ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS", defaults.UPLOAD_CHUNKS_MAX_AGE_HOURS)
    )
    if hours < 1:
        raise ValueError("ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS must be at least 1")
    return dt.timedelta(hours=hours)


def _chunk_sets() -> list[tuple[str, str]]:
    """(record folder, upload folder) of every chunk set in storage."""
    if not default_storage.exists(CHUNKS_ROOT):
        return []
    found = []
    for record_dir in default_storage.listdir(CHUNKS_ROOT)[0]:
        for upload_dir in default_storage.listdir(f"{CHUNKS_ROOT}/{record_dir}")[0]:
            found.append((record_dir, upload_dir))
    return found


def _last_touched(folder: str) -> dt.datetime | None:
    files = default_storage.listdir(folder)[1]
    times = [default_storage.get_modified_time(f"{folder}/{name}") for name in files]
    return max(times) if times else None


def _drop_folder(folder: str) -> None:
    """Delete a chunk set's files, then its (now empty) folders where storage has folders at all."""
    _remove([f"{folder}/{name}" for name in default_storage.listdir(folder)[1]])
    try:
        upload_dir = Path(default_storage.path(folder))
    except NotImplementedError:  # object storage: no folders to remove
        return
    for path in (upload_dir, upload_dir.parent):
        try:
            path.rmdir()
        except OSError:  # not empty (another upload of the record) or already gone
            break


def expire_uploads(*, now: dt.datetime | None = None, max_age: dt.timedelta | None = None) -> int:
    """Delete the chunk sets of photos a device never finished: created before `max_age` ago (default:
    the configured age) and no chunk received since. The unfinished upload row goes with them (a device
    coming back later starts that photo again); chunk folders left without a row (their record deleted)
    are swept by the same age. Completed uploads are never touched. Returns how many sets were deleted."""
    now = now or timezone.now()
    cutoff = now - (max_age or chunks_max_age())
    removed = 0
    for record_dir, upload_dir in _chunk_sets():
        folder = f"{CHUNKS_ROOT}/{record_dir}/{upload_dir}"
        touched = _last_touched(folder)
        if touched is not None and touched >= cutoff:
            continue  # a chunk arrived recently: the device is still at it
        record_id = int(record_dir) if record_dir.isdigit() else -1
        rows = PhotoUpload.objects.filter(record_id=record_id, upload_id=upload_dir)
        # The conditional delete claims the set: a row completed meanwhile, or made recently, stays.
        rows.filter(completed_at__isnull=True, created_at__lt=cutoff).delete()
        if rows.exists():
            continue
        _drop_folder(folder)
        removed += 1
    # Rows whose chunks never reached storage would otherwise count against the record's open uploads.
    PhotoUpload.objects.filter(completed_at__isnull=True, created_at__lt=cutoff).exclude(
        pk__in=[u.pk for u in _open_with_chunks()]
    ).delete()
    return removed


def _open_with_chunks() -> list[PhotoUpload]:
    sets = set(_chunk_sets())
    return [
        u
        for u in PhotoUpload.objects.filter(completed_at__isnull=True).only("pk", "record_id", "upload_id")
        if (str(u.record_id), u.upload_id) in sets
    ]
