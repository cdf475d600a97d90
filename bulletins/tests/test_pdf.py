"""The numbered bulletin as a PDF: GB/T 9704 geometry, the masthead, and a table of contents whose page
numbers are the pages the articles are on (read back with pypdf)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from bulletins import defaults
from bulletins import defaults as d
from bulletins.document import DocArticle, DocSection, IssueDocument
from bulletins.pdf import CELL, PITCH, Layout, render_pdf
from bulletins.services.richtext import blocks, clean_html
from bulletins.tests.pdf_reading import Page, clean, read

TOL = 0.5
PARAGRAPH = (
    "<p><strong>建强队伍。</strong>按照“每人每周至少一篇”的要求，建立信息员队伍，明确专人负责信息报送，"
    "2022 年以来共报送信息 312 篇，被采用 86 篇。</p>"
    "<p>坚持把信息工作纳入年度考核内容，对工作推进有力的单位给予通报表扬，形成比学赶超的良好氛围。</p>"
)


TITLES = [
    ("市内信息", "县直机关工委：建立信息员队伍"),
    ("市内信息", "县教育局机关党支部：用好“五微”载体 推动学习贯彻走深走实并形成长效机制的做法与体会"),
    ("市内信息", "县财政局：开展“学经济、提能力”活动"),
    ("市外参考", "甘肃山丹：完善机制强化组织部门自身建设"),
]


@pytest.fixture(scope="module")
def rendered() -> tuple[IssueDocument, bytes, Layout, list[Page]]:
    """One issue of four articles over several pages, rendered once for the module (a render takes seconds)."""
    sections: dict[str, list[DocArticle]] = {"市内信息": [], "市外参考": []}
    for i, (section, title) in enumerate(TITLES):
        sections[section].append(
            DocArticle(title, "县直机关工委", blocks(clean_html(PARAGRAPH * (3 + i))), i + 1)
        )
    document = IssueDocument(
        journal="示范组工信息",
        office=defaults.JOURNAL_OFFICE,
        year=2026,
        number=1,
        date=dt.date(2026, 3, 2),
        leader_box=True,
        sections=[DocSection(name, items) for name, items in sections.items()],
        **defaults.DISTRIBUTION,
    )
    data, layout = render_pdf(document)
    return document, data, layout, read(data)


def test_the_first_page_has_the_masthead_toc_and_leader_box(rendered: Any) -> None:
    _, _, layout, pages = rendered
    first = pages[0].text
    for expected in (
        "示范组工信息",
        "第1期",
        "中共安庆市委组织部研究室",
        "2026年3月2日",
        "★市内信息",
        "★市外参考",
        "领导批示：",
    ):
        assert expected in first
    assert layout.missing == ""


def test_toc_page_numbers_are_the_pages_the_articles_start_on(rendered: Any) -> None:
    document, _, layout, pages = rendered
    first = pages[0]
    numbers = {
        round(p.y, 1): int(p.text) for p in first.pieces if p.text.isdigit() and p.y > d.MARGIN_TOP + 50
    }
    assert len(numbers) == 4
    for article in (a for section in document.sections for a in section.articles):
        title = clean(article.title)
        # the number stands on the line where the title ends
        tail = [p for p in first.pieces if title.endswith(p.text) and p.text and not p.text.startswith(".")]
        assert tail, title
        page = numbers[round(tail[-1].y, 1)]
        assert page == layout.article_pages[article.key]
        assert ("△" + title) in pages[page - 1].text, (title, page)
    assert max(layout.article_pages.values()) < len(pages) + 1


def test_every_page_keeps_the_gb_t_9704_geometry(rendered: Any) -> None:
    pages = rendered[3]
    assert len(pages) >= 4
    bottom = d.PAGE_HEIGHT - d.MARGIN_BOTTOM
    right = d.PAGE_WIDTH - d.MARGIN_RIGHT
    for number, page in enumerate(pages, start=1):
        assert abs(page.width - 210) <= TOL and abs(page.height - 297) <= TOL
        body = [p for p in page.pieces if p.y <= bottom + TOL]
        folio = [p for p in page.pieces if p.y > bottom + TOL]
        for piece in body:
            assert piece.x >= d.MARGIN_LEFT - TOL, (number, piece)
            assert piece.y >= d.MARGIN_TOP - TOL, (number, piece)
        if number == 1:
            assert folio == []
            continue
        # page number 「— N —」 below the 版心, right on odd pages and left on even ones
        assert [f.text for f in folio] == [f"—{number}—"]
        assert folio[0].y >= bottom + d.PAGE_NUMBER_GAP - TOL
        if number % 2:
            assert folio[0].x > d.PAGE_WIDTH / 2
        else:
            assert folio[0].x <= d.MARGIN_LEFT + CELL + TOL
        lines: dict[float, list[Any]] = defaultdict(list)
        for piece in body:
            lines[round(piece.y, 2)].append(piece)
        assert len(lines) <= d.LINES_PER_PAGE
        first_baseline = d.MARGIN_TOP + PITCH * 0.72
        for y, pieces in lines.items():
            steps = (y - first_baseline) / PITCH
            assert abs(steps - round(steps)) * PITCH <= TOL, (number, y)
            chars = sum(1 if ord(ch) > 0x2000 else 0.5 for p in pieces for ch in p.text)
            start = min(p.x for p in pieces)
            assert chars + round((start - d.MARGIN_LEFT) / CELL) <= d.CHARS_PER_LINE, (number, y, pieces)
            assert (
                start + chars * CELL <= right + TOL + CELL
            )  # within the 版心 (a justified line's last glyph)
    for page in pages[1:-2]:  # full pages: every line of the grid used
        assert len({round(p.y, 2) for p in page.pieces if p.y <= bottom}) == d.LINES_PER_PAGE
