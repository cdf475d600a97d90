"""Real video from real phones: an upload is checked by what it contains, transcoded by a task to H.264/AAC MP4
with a poster and its measured duration, and shows 处理中 → 可播放; refusals and failures leave no file behind."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning.models import Video
from learning.services import videos as svc
from learning.services.uploads import INCOMING, media_path, transcode_video
from learning.tests.samples import corrupt, make_video

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def post_upload(client, cast, data: bytes, name: str = "IMG_0001.MOV", **extra):
    form = {
        "title": "支部书记讲党课",
        "category": "微党课",
        "tags": "",
        "source": "",
        "duration": "",
        **extra,
    }
    form["upload"] = SimpleUploadedFile(name, data, content_type="video/quicktime")
    return client.post(reverse("learning:video_new") + f"?org={cast.committee_a.pk}", form)


def test_an_iphone_hevc_mov_becomes_a_playable_h264_mp4_with_poster_and_duration(
    client, cast, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(cast.committee_admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_upload(client, cast, make_video("hevc", "mov", seconds=2))
    video = Video.objects.get()
    assert response.status_code == 302 and response.url == reverse("learning:video_detail", args=[video.pk])
    assert video.status == "processing" and video.duration == 2 and not video.file
    page = client.get(reverse("learning:video_detail", args=[video.pk])).content.decode()
    assert "处理中" in page and 'hx-get="' in page and "<video" not in page
    assert client.post(reverse("learning:video_start", args=[video.pk])).status_code == 404
    for callback in queued:  # the task, enqueued after commit, runs (immediate backend)
        callback()
    video.refresh_from_db()
    assert video.status == "ready" and video.percent == 100 and video.content_type == "video/mp4"
    with av.open(video.file.path) as out:
        assert [s.codec_context.name for s in out.streams] == ["h264", "aac"]
        assert out.streams.video[0].codec_context.pix_fmt == "yuv420p"
    assert Path(video.poster.path).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    assert files_under(tmp_path) == sorted([video.file.name, video.poster.name])  # the original is gone
    status = client.get(reverse("learning:video_status", args=[video.pk]), HTTP_HX_REQUEST="true")
    assert "可播放" in status.content.decode() and status["HX-Refresh"] == "true"
    page = client.get(reverse("learning:video_detail", args=[video.pk])).content.decode()
    assert "<video" in page and reverse("learning:video_poster", args=[video.pk]) in page
    assert client.get(reverse("learning:video_poster", args=[video.pk]))["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "codec,fmt,streams",
    [("mpeg4", "mov", ["h264", "aac"]), ("mpeg4", "matroska", ["h264", "aac"]), (None, "mp4", ["aac"])],
)
def test_other_phone_and_camera_files_are_transcoded_too(cast, codec, fmt, streams):
    data = make_video(codec or "mpeg4", fmt, video=codec is not None, seconds=3)
    upload = SimpleUploadedFile("录像", data)
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "录像", "微党课", 0, upload=upload)
    )
    assert transcode_video(video.pk) == "ready"
    video.refresh_from_db()
    assert video.duration == 3
    with av.open(video.file.path) as out:
        assert [s.codec_context.name for s in out.streams] == streams


@pytest.mark.parametrize(
    "data,reason",
    [
        (corrupt(make_video("hevc", "mov")), "文件已损坏"),
        (b"%PDF-1.7 not a film", "无法识别的文件"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000, "文件已损坏"),  # an MP4 header and nothing playable
    ],
)
def test_a_corrupt_or_fake_video_is_refused_in_chinese_and_leaves_nothing(
    client, cast, tmp_path, data, reason
):
    client.force_login(cast.committee_admin)
    response = post_upload(client, cast, data, name="片子.mp4")
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Video.objects.exists()
    assert files_under(tmp_path) == []


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(client, cast, settings, tmp_path):
    settings.LEARNING_VIDEO_MAX_MB = 1
    client.force_login(cast.committee_admin)
    response = post_upload(client, cast, make_video("hevc", "mov") + b"\x00" * (1024 * 1024))
    assert response.status_code == 200 and "超过上限 1 MB" in response.content.decode()
    assert not Video.objects.exists() and files_under(tmp_path) == []


def test_a_transcode_that_fails_marks_the_video_failed_and_removes_every_file(cast, tmp_path):
    upload = SimpleUploadedFile("a.mov", make_video("mpeg4", "mov"))
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "录像", "微党课", 0, upload=upload)
    )
    media_path(f"{INCOMING}/{video.original}").write_bytes(corrupt(make_video("mpeg4", "mov")))
    assert transcode_video(video.pk) == "failed"
    video.refresh_from_db()
    assert video.status == "failed" and "损坏" in video.failure and not video.file
    assert files_under(tmp_path) == []


def test_the_task_run_twice_transcodes_once(cast, tmp_path):
    upload = SimpleUploadedFile("a.mov", make_video("mpeg4", "mov"))
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "录像", "微党课", 0, upload=upload)
    )
    assert transcode_video(video.pk) == "ready"
    assert transcode_video(video.pk) == "skipped"
    assert len(files_under(tmp_path)) == 2  # one MP4, one poster


@pytest.mark.parametrize(
    "who,status", [("committee_admin", 200), ("viewer", 200), ("outsider", 404), (None, 302)]
)
def test_the_status_and_poster_four_ways(cast, who, status):
    upload = SimpleUploadedFile("a.mov", make_video("mpeg4", "mov"))
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "录像", "微党课", 0, upload=upload)
    )
    transcode_video(video.pk)
    client = cast.client(getattr(cast, who) if who else None)
    for name in ("learning:video_status", "learning:video_poster"):
        assert client.get(reverse(name, args=[video.pk])).status_code == status


@pytest.mark.parametrize("who,status", [("viewer", 403), ("outsider", 404), (None, 302)])
def test_uploading_is_refused_to_those_who_may_not_publish(client, cast, tmp_path, who, status):
    if who:
        client.force_login(getattr(cast, who))
    assert post_upload(client, cast, make_video("mpeg4", "mov")).status_code == status
    assert not Video.objects.exists() and files_under(tmp_path) == []
