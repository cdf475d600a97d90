"""The issue as a .docx: it opens, holds every article with its unit in order, the GB/T 9704 page, and
its Chinese runs carry their font in w:eastAsia; readers of the issue download it, strangers get 404."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from bulletins.demo import generate_bulletins_demo
from bulletins.document import issue_document
from bulletins.models import Issue
from bulletins.services import issues
from bulletins.tests.conftest import adopted
from bulletins.tests.test_pages import client, stranger
from bulletins.word import FANGSONG, HEITI, render_docx


def test_the_seed_issue_as_docx_has_every_article_in_order(cast: Any) -> None:
    generate_bulletins_demo(seed=1, scale="tiny")
    issue = Issue.objects.get(journal__name="安庆组工信息", year=2023, number=5)
    document = issue_document(issue)
    doc = Document(io.BytesIO(render_docx(document)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "安庆组工信息" in text and document.number_line in text and "2023年2月27日" in text
    positions = []
    for section in document.sections:
        for article in section.articles:
            assert f"△{article.title}。" in text
            assert f"（{article.byline}）" in text
            positions.append(text.index(f"△{article.title}。"))
    assert positions == sorted(positions) and len(positions) >= 2
    page = doc.sections[0]
    assert round(page.top_margin.mm) == 37 and round(page.bottom_margin.mm) == 35  # type: ignore[union-attr]
    assert round(page.left_margin.mm) == 28 and round(page.right_margin.mm) == 26  # type: ignore[union-attr]
    assert round(page.page_width.mm) == 210 and round(page.page_height.mm) == 297  # type: ignore[union-attr]
    fonts = {
        r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for p in doc.paragraphs
        for r in p.runs
        if r.text.strip()
    }
    assert None not in fonts and {FANGSONG, HEITI} <= fonts
    assert "领导批示：" in doc.tables[0].cell(0, 0).text


def test_readers_download_the_docx_and_strangers_do_not(
    cast: Any, editor: Any, officer: Any, journal: Any
) -> None:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2026, 3, 2))
    issues.place_article(
        actor=editor, issue=issue, article=adopted(officer, editor, cast.committee_a), section="市内信息"
    )
    url = reverse("bulletins:issue_docx", args=[issue.pk])
    for user in (editor, cast.viewer, cast.outsider):
        response = client(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"].endswith("wordprocessingml.document")
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        assert "△县直机关工委建立信息报送积分制。" in text
    assert client(stranger()).get(url).status_code == 404
    assert client(None).get(url).status_code == 302
