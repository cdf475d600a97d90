"""Uploaded videos from real phones: received and checked by content (learning.media), then transcoded in a task
to H.264/AAC MP4 with a poster and the measured duration. A failure at any step leaves no partial file behind;
the task is safe to run twice (it claims the video with a conditional UPDATE)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learning import media
from learning.models import Video
from personal.files import open_private

INCOMING = "learning/incoming"
VIDEOS = "learning/videos"
POSTERS = "learning/posters"


def max_upload_bytes() -> int:
    return int(getattr(settings, "LEARNING_VIDEO_MAX_MB", 500)) * 1024 * 1024


def media_path(relative: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def receive_upload(upload: Any) -> tuple[str, media.Probe]:
    """Store an upload under learning/incoming/ and check what it really is; on any refusal the stored copy is
    removed and the uploader gets the reason in Chinese (ValidationError on the `upload` field)."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            {"upload": f"文件大小 {upload.size / 1048576:.0f} MB，超过上限 {limit // 1048576} MB"}
        )
    name = secrets.token_hex(16)
    path = media_path(f"{INCOMING}/{name}")
    try:
        with open_private(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        probe = media.probe(path)
    except media.MediaError as exc:
        media.remove_quietly(path)
        raise ValidationError({"upload": f"{exc}（支持手机拍摄的 MOV/MP4、WebM 等视频及常见音频）"}) from exc
    except BaseException:
        media.remove_quietly(path)
        raise
    return name, probe


def discard_upload(name: str) -> None:
    media.remove_quietly(media_path(f"{INCOMING}/{name}"))


def queue_transcode(video: Video) -> None:
    """The task runs after the video row commits (it reads the row)."""
    from learning.tasks import transcode_video_task  # learning.tasks imports this module

    transaction.on_commit(lambda: transcode_video_task.enqueue(video.pk))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "XIANFENG_TASK_LEASE_SECONDS", 3600)))


def transcode_video(video_id: int) -> str:
    """Transcode the video's incoming file; returns the resulting status. A second run finds the video claimed
    (or already ready) and does nothing, unless the first worker died and its lease has run out."""
    now = timezone.now()
    claimed = (
        Video.objects.filter(pk=video_id, status=Video.Status.PROCESSING)
        .exclude(claimed_at__gt=now - _lease())
        .update(claimed_at=now, percent=0)
    )
    if not claimed:
        return "skipped"
    video = Video.objects.get(pk=video_id)
    src = media_path(f"{INCOMING}/{video.original}")
    stem = secrets.token_hex(16)
    dst, poster = media_path(f"{VIDEOS}/{stem}.mp4"), media_path(f"{POSTERS}/{stem}.jpg")

    def report(percent: int) -> None:
        Video.objects.filter(pk=video_id).update(percent=percent)

    try:
        result = media.transcode(src, dst, poster, progress=report)
        for made in (dst, poster):
            if made.exists():
                made.chmod(0o600)  # as Django stores uploads (FILE_UPLOAD_PERMISSIONS)
    except media.MediaError as exc:
        media.remove_quietly(dst, poster, src)
        Video.objects.filter(pk=video_id).update(
            status=Video.Status.FAILED, failure=str(exc), original="", percent=0
        )
        return Video.Status.FAILED
    except BaseException:
        media.remove_quietly(dst, poster)  # the incoming file stays for the retry after the lease
        raise
    try:
        with transaction.atomic():
            fields: dict[str, Any] = {
                "status": Video.Status.READY,
                "stored_name": f"{stem}.mp4",
                "file": f"{VIDEOS}/{stem}.mp4",
                "content_type": "video/mp4",
                "poster": f"{POSTERS}/{stem}.jpg" if result.poster else "",
                "percent": 100,
                "original": "",
                "failure": "",
            }
            if result.duration >= 1:
                fields["duration"] = round(result.duration)
            if not Video.objects.filter(pk=video_id, claimed_at=now).update(**fields):
                raise RuntimeError("claim lost")  # another worker took over after our lease ran out
    except BaseException:
        media.remove_quietly(dst, poster)
        raise
    media.remove_quietly(src)
    return Video.Status.READY


def attach_file(*, video: Video, path: Path) -> Video:
    """The bulk path (the demo): a file on disk transcoded now, in this process, by the same code as an upload."""
    name = secrets.token_hex(16)
    incoming = media_path(f"{INCOMING}/{name}")
    with open_private(incoming, "wb") as out:
        out.write(path.read_bytes())
    try:
        media.probe(incoming)
    except media.MediaError as exc:
        media.remove_quietly(incoming)
        raise ValidationError(str(exc)) from exc
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROCESSING, original=name)
    transcode_video(video.pk)
    video.refresh_from_db()
    return video
