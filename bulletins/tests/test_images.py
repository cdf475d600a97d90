"""Pictures in articles: checked by their bytes, EXIF (GPS, camera) stripped and turned upright, shown on
the article to whoever reads it, placed in the issue's PDF on the grid and in the .docx; four-way access."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from PIL import Image
from pypdf import PdfReader

from bulletins import defaults as d
from bulletins.document import issue_document
from bulletins.models import ArticleImage
from bulletins.pdf import PITCH, render_pdf
from bulletins.services import articles, issues
from bulletins.tests.conftest import draft
from bulletins.tests.pdf_reading import read
from bulletins.tests.test_pages import client, stranger
from bulletins.word import render_docx


def photo(name: str = "现场.jpg", size: tuple[int, int] = (640, 400)) -> SimpleUploadedFile:
    """A camera-style JPEG: EXIF with the maker, a GPS position and orientation 6 (turn 90° to view)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 31.0, 12.5), 3: "E", 4: (117.0, 3.0, 1.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (200, 16, 46)).save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def waiting(cast: Any, officer: Any) -> Any:
    article = draft(officer, cast.committee_a)
    articles.add_image(actor=officer, article=article, upload=photo(), caption="组织生活会现场")
    return articles.submit_article(actor=officer, article=article)


def test_an_image_is_stored_upright_without_exif(cast: Any, officer: Any) -> None:
    article = draft(officer, cast.committee_a)
    raw = photo()
    assert b"PhoneMaker" in raw.read()
    image = articles.add_image(actor=officer, article=article, upload=photo(), caption="现场")
    stored = image.file.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"PhoneMaker" not in stored and b"Exif" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert dict(picture.getexif()) == {}
    assert picture.size == (400, 640) == (image.width, image.height)  # turned by its orientation
    assert image.original_name == "现场.jpg" and image.file.name.startswith("bulletins/")
    assert "现场" not in image.file.name  # a random stored name


def test_bad_uploads_are_refused_in_chinese_and_store_nothing(cast: Any, officer: Any, settings: Any) -> None:
    article = draft(officer, cast.committee_a)
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a picture" * 20, content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        articles.add_image(actor=officer, article=article, upload=fake)
    assert "不是照片" in refused.value.messages[0]
    truncated = SimpleUploadedFile("坏图.jpg", photo().read()[:300], content_type="image/jpeg")
    with pytest.raises(ValidationError) as broken:
        articles.add_image(actor=officer, article=article, upload=truncated)
    assert "无法识别为图片" in broken.value.messages[0]
    assert ArticleImage.objects.count() == 0
    for _ in range(d.MAX_IMAGES):
        articles.add_image(actor=officer, article=article, upload=photo())
    with pytest.raises(ValidationError) as full:
        articles.add_image(actor=officer, article=article, upload=photo())
    assert f"最多 {d.MAX_IMAGES} 张" in full.value.messages[0]
    assert ArticleImage.objects.count() == d.MAX_IMAGES


def test_the_article_page_shows_the_picture_to_its_readers(
    cast: Any, officer: Any, editor: Any, waiting: Any
) -> None:
    image = waiting.images.get()
    url = reverse("bulletins:article_image_file", args=[waiting.pk, image.pk])
    page = client(officer).get(reverse("bulletins:article_detail", args=[waiting.pk])).content.decode()
    assert url in page and 'alt="组织生活会现场"' in page
    for user in (officer, editor, cast.viewer):
        response = client(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")  # type: ignore[attr-defined]
    assert client(cast.outsider).get(url).status_code == 404
    assert client(stranger()).get(url).status_code == 404
    assert client(None).get(url).status_code == 302


def test_who_may_add_and_remove_pictures(cast: Any, officer: Any, editor: Any, waiting: Any) -> None:
    add = reverse("bulletins:article_image_add", args=[waiting.pk])
    image = waiting.images.get()
    delete = reverse("bulletins:article_image_delete", args=[waiting.pk, image.pk])
    assert client(None).post(add).status_code == 302
    assert client(cast.viewer).post(add, {"image": photo()}).status_code == 403
    assert client(cast.outsider).post(add, {"image": photo()}).status_code == 404
    assert client(stranger()).post(delete).status_code == 404
    assert client(cast.viewer).post(delete).status_code == 403
    # the author may not change a submitted article's pictures; the editor may
    response = client(officer).post(add, {"image": photo()}, follow=True)
    assert "您不能修改该稿件的图片" in response.content.decode() or response.status_code == 403
    assert waiting.images.count() == 1
    response = client(editor).post(add, {"image": photo("第二张.jpg"), "caption": "第二张"}, follow=True)
    assert "图片已上传" in response.content.decode()
    bad = client(editor).post(add, {"image": SimpleUploadedFile("a.png", b"text")}, follow=True)
    assert "不是照片" in bad.content.decode()
    assert waiting.images.count() == 2
    assert "图片已删除" in client(editor).post(delete, follow=True).content.decode()
    assert list(waiting.images.values_list("caption", flat=True)) == ["第二张"]


def test_the_picture_is_placed_in_the_pdf_and_the_docx(
    cast: Any, officer: Any, editor: Any, journal: Any, waiting: Any
) -> None:
    article = articles.adopt_article(actor=editor, article=waiting, adoption="full")
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2026, 3, 2))
    issues.place_article(actor=editor, issue=issue, article=article, section="市内信息")
    document = issue_document(issue)
    data, layout = render_pdf(document)
    reader = PdfReader(io.BytesIO(data))
    with_images = [n for n, page in enumerate(reader.pages) if list(page.images)]
    assert len(with_images) == 1 and with_images[0] + 1 >= layout.article_pages[article.pk]
    page = reader.pages[with_images[0]]
    assert "组织生活会现场" in read(data)[with_images[0]].text  # the caption under it
    # the picture sits inside the 版心 and on whole grid lines
    content = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
    placed = re.search(r"q ([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I\d+ Do Q", content)
    assert placed is not None
    w, h, x, y = (float(v) * 25.4 / 72 for v in placed.groups())
    top = d.PAGE_HEIGHT - y - h
    assert x >= d.MARGIN_LEFT - 0.5 and x + w <= d.PAGE_WIDTH - d.MARGIN_RIGHT + 0.5
    assert top >= d.MARGIN_TOP - 0.5 and top + h <= d.PAGE_HEIGHT - d.MARGIN_BOTTOM + 0.5
    assert h <= (d.LINES_PER_PAGE - 2) * PITCH + 0.01
    doc = Document(io.BytesIO(render_docx(document)))
    assert len(doc.inline_shapes) == 1
    assert "组织生活会现场" in "\n".join(p.text for p in doc.paragraphs)
