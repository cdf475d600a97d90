"""Dossier scans: checked by their bytes and size with a Chinese error, nothing stored on a refusal or a
failure, served only inside the branch's scope."""

import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from development.models import Document, Step
from development.services import dossier
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored(tmp_path):
    return (
        sorted(p.name for p in (tmp_path / "development").glob("*"))
        if (tmp_path / "development").exists()
        else []
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


@time_machine.travel(NOW)
def test_a_pdf_scan_is_stored_and_served_to_the_branch_only(cast, tmp_path):
    person = f.applicant(cast)
    url = reverse("development:document_upload", args=[person.pk])
    upload = {"kind": "application", "file": SimpleUploadedFile("申请书.pdf", PDF)}
    assert cast.client(None).post(url, upload).status_code == 302
    for who, status in ((cast.outsider, 404), (cast.viewer, 403)):
        upload["file"] = SimpleUploadedFile("申请书.pdf", PDF)
        assert cast.client(who).post(url, upload).status_code == status
    assert not Document.objects.exists() and _stored(tmp_path) == []
    upload["file"] = SimpleUploadedFile("申请书.pdf", PDF)
    assert cast.client(cast.secretary).post(url, upload).status_code == 302
    doc = Document.objects.get()
    assert (doc.kind, doc.on_paper, doc.original_name, doc.size) == (
        "application",
        False,
        "申请书.pdf",
        len(PDF),
    )
    assert doc.checked_by == cast.secretary and Step.objects.filter(action__contains="上传档案材料").exists()
    file_url = reverse("development:document_file", args=[doc.pk])
    assert cast.client(None).get(file_url).status_code == 302
    assert cast.client(cast.outsider).get(file_url).status_code == 404
    response = cast.client(cast.viewer).get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


@time_machine.travel(NOW)
def test_an_image_scan_is_reencoded_and_a_replacement_removes_the_old_file(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    person = f.applicant(cast)
    dossier.upload_document(
        actor=cast.secretary, person=person, kind="talk", upload=SimpleUploadedFile("谈话.png", _png())
    )
    first = Document.objects.get().file.name
    assert Document.objects.get().content_type == "image/jpeg"
    with django_capture_on_commit_callbacks(execute=True):
        dossier.upload_document(
            actor=cast.secretary, person=person, kind="talk", upload=SimpleUploadedFile("谈话.pdf", PDF)
        )
    assert not default_storage.exists(first)
    assert len(_stored(tmp_path)) == 1


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("申请书.pdf", b"MZ\x90\x00 not a pdf at all", "不是支持的"),
        ("申请书.jpg", b"\xff\xd8\xff\xe0 truncated jpeg", "无法识别为图片"),
        ("表.pdf", b"", "空文件"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_in_chinese(cast, tmp_path, name, content, message):
    person = f.applicant(cast)
    response = cast.client(cast.secretary).post(
        reverse("development:document_upload", args=[person.pk]),
        {"kind": "application", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode()
    assert not Document.objects.exists() and _stored(tmp_path) == []


@time_machine.travel(NOW)
def test_a_scan_over_the_size_limit_is_refused(cast, tmp_path, settings):
    settings.DEVELOPMENT_UPLOAD_MAX_MB = 1
    person = f.applicant(cast)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(Exception, match="超过1MB"):
        dossier.upload_document(
            actor=cast.secretary, person=person, kind="application", upload=SimpleUploadedFile("大.pdf", big)
        )
    assert not Document.objects.exists() and _stored(tmp_path) == []


@time_machine.travel(NOW)
def test_a_failure_after_the_file_is_written_leaves_no_file(cast, tmp_path, monkeypatch):
    person = f.applicant(cast)

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dossier, "add_step", crash)
    with pytest.raises(RuntimeError):
        dossier.upload_document(
            actor=cast.secretary, person=person, kind="application", upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not Document.objects.exists() and _stored(tmp_path) == []


@time_machine.travel(NOW)
def test_an_unknown_kind_is_refused(cast, tmp_path):
    person = f.applicant(cast)
    with pytest.raises(Exception, match="材料类别无效"):
        dossier.upload_document(
            actor=cast.secretary, person=person, kind="other", upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert _stored(tmp_path) == []
