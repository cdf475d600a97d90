"""The 一人一档 PDF: its text is the member's file, in the font the project ships, falling back for rare characters."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from points import pdf, selectors, services
from points.tests.helpers import award

DAY = dt.date(2026, 8, 12)


@pytest.fixture
def entries(cast, catalogue, scorekeeper):
    services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=DAY,
        description="集中学习党章",
    )
    award(cast.member_a1, "orglife_attendance", DAY)


def text_of(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_carries_the_members_file(cast, entries):
    url = reverse("points:member_file_pdf", args=[cast.member_a1.pk])
    response = cast.client(cast.member_user).get(url, {"year": 2026})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "李建国" in text and "2026年度" in text and "县财政局机关党支部" in text
    assert "参加组织生活" in text or "组织生活" in text
    fonts = {
        str(f["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSans" in f for f in fonts)  # the shipped cut of Noto Sans CJK SC, embedded


def test_common_text_uses_the_shipped_font_and_rare_characters_a_fuller_one(settings, tmp_path):
    assert pdf.font_for(iter(["李建国 县财政局机关党支部 2026年度"])) == pdf.BUNDLED
    fuller = tmp_path / "fuller.ttf"
    fuller.write_bytes(pdf.BUNDLED.read_bytes())
    settings.POINTS_PDF_FONT = str(fuller)  # stands for a full CJK font (XIANFENG_PDF_FONT)
    assert pdf.font_for(iter(["王䶮"])) == fuller  # 䶮 is outside GB 2312


def test_a_rare_character_without_a_fuller_font_is_a_clear_error(settings, monkeypatch):
    settings.POINTS_PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ["/nonexistent/font.ttc"])
    with pytest.raises(pdf.FontMissing, match="中文字体"):
        pdf.font_for(iter(["王䶮"]))


def test_the_file_renders_for_a_member_with_no_entries(cast, catalogue):
    content = pdf.member_file_pdf(selectors.member_file(cast.member_b1, 2026))
    assert "本年度暂无记录" in text_of(content)
