"""微党课 attachments: 课件 (PDF, .pptx) or the lesson's video, told apart and checked by content through the
project's own upload checks (orglife.uploads for documents, the library's probe and transcoding for video);
size limits from settings; downloads through the lesson's scope; nothing left on disk after a refusal."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning import services
from learning.models import Lesson, Video
from learning.tests.samples import make_video

TODAY = dt.date(2026, 11, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def give(cast, upload, topic="学习党章", minutes=20):
    data = services.LessonData(cast.branch_a1, cast.member_a1, topic, TODAY, minutes, upload=upload)
    return services.give_lesson(actor=cast.secretary, data=data, today=TODAY)


def test_pdf_and_pptx_slides_are_stored_and_downloaded_within_the_lesson_scope(
    client, cast, tmp_path, django_capture_on_commit_callbacks
):
    lesson = give(cast, SimpleUploadedFile("党课.pdf", PDF))
    assert lesson.slides_type == "application/pdf" and lesson.slides_name == "党课.pdf"
    assert lesson.slides_size == len(PDF) and lesson.video is None
    url = reverse("learning:lesson_slides", args=[lesson.pk])
    client.force_login(cast.secretary)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert "党课.pdf" in client.get(reverse("learning:lesson_detail", args=[lesson.pk])).content.decode()
    client.force_login(cast.viewer)
    assert client.get(url).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    slides = give(cast, SimpleUploadedFile("课件.pptx", pptx()), topic="第二课")
    assert slides.slides_type.endswith("presentationml.presentation")
    client.force_login(cast.secretary)
    response = client.get(reverse("learning:lesson_slides", args=[slides.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    # deleting the lesson removes its 课件 from disk once the deletion commits
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_lesson(actor=cast.secretary, lesson=lesson, reason="重复")
    assert len(files_under(tmp_path)) == 1


@pytest.mark.parametrize(
    ("name", "data", "limit", "text"),
    [
        ("改名.pdf", b"just some text, not a PDF", 50, "支持手机拍摄的"),  # not a document: checked as video
        ("文档.pptx", docx(), 50, "不是支持的课件类型"),  # a Word file renamed .pptx
        ("大.pdf", PDF, 0, "超过"),  # over LEARNING_SLIDES_MAX_MB
    ],
)
def test_uploads_are_judged_by_content_and_a_refusal_leaves_no_lesson_and_no_file(
    cast, tmp_path, settings, name, data, limit, text
):
    settings.LEARNING_SLIDES_MAX_MB = limit
    with pytest.raises(ValidationError) as exc:
        give(cast, SimpleUploadedFile(name, data))
    assert text in " ".join(exc.value.message_dict["upload"])
    assert not Lesson.objects.exists() and not Video.objects.exists()
    assert files_under(tmp_path) == []


def test_a_lesson_failing_its_own_checks_leaves_no_slides_or_video_behind(cast, tmp_path):
    for upload in (
        SimpleUploadedFile("课件.pdf", PDF),
        SimpleUploadedFile("IMG.MOV", make_video("h264", "mov", seconds=1)),
    ):
        data = services.LessonData(cast.branch_a1, cast.member_b1, "题目", TODAY, 20, upload=upload)
        with pytest.raises(ValidationError):
            services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
    assert not Lesson.objects.exists() and not Video.objects.exists()
    assert files_under(tmp_path) == []


def test_a_lesson_video_goes_to_the_library_transcoded_and_plays_with_the_library_access(
    client, cast, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(cast.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:lesson_new") + f"?org={cast.branch_a1.pk}",
            {
                "speaker": cast.member_a1.pk,
                "topic": "身边的榜样",
                "given_on": TODAY.isoformat(),
                "minutes": 15,
                "record": "",
                "outline": "",
                "upload": SimpleUploadedFile("IMG_0002.MOV", make_video("hevc", "mov", seconds=1)),
            },
        )
    lesson = Lesson.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    video = lesson.video
    assert video is not None and video.category == "微党课" and video.org_id == cast.branch_a1.pk
    video.refresh_from_db()
    assert video.status == "ready" and video.content_type == "video/mp4"
    assert (
        client.get(reverse("learning:video_file", args=[video.pk]), HTTP_RANGE="bytes=0-9").status_code == 206
    )
    client.force_login(cast.outsider)
    assert client.get(reverse("learning:video_file", args=[video.pk])).status_code == 404
    page = client.get(reverse("learning:lesson_detail", args=[lesson.pk]))
    assert page.status_code == 404


def test_the_department_sees_lessons_speakers_and_quarterly_branch_shares_by_node(client, cast):
    from learning.selectors.lessons import counts_by_node

    for day, speaker in ((dt.date(2026, 2, 1), cast.member_a1), (dt.date(2026, 8, 1), cast.member_a1)):
        data = services.LessonData(cast.branch_a1, speaker, "学习", day, 20)
        services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
    rows = {r.org.pk: r for r in counts_by_node(cast.county, 2026)}
    a = rows[cast.committee_a.pk]
    assert (a.lessons, a.speaker_count, a.branches, a.shares) == (2, 1, 2, [50, 0, 50, 0])
    assert rows[cast.committee_b.pk].lessons == 0 and rows[cast.committee_b.pk].shares == [0, 0, 0, 0]
    client.force_login(cast.dept_admin)
    page = client.get(reverse("learning:lessons") + f"?org={cast.county.pk}&year=2026").content.decode()
    assert "按下级组织统计" in page and cast.committee_a.display_name in page
