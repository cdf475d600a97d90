"""An issue as plain data for the renderers (PDF, .docx): no database access past `issue_document`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bulletins.models import Article, Issue
from bulletins.selectors import issue_sections
from bulletins.services.richtext import Block, blocks


@dataclass
class DocImage:
    data: bytes  # a JPEG written by services.articles.add_image (pixels only)
    width: int
    height: int
    caption: str = ""


@dataclass
class DocArticle:
    title: str
    byline: str
    blocks: list[Block]
    key: int = 0  # the article id, for the page map
    images: list[DocImage] = field(default_factory=list)  # placed after the text and its unit line


@dataclass
class DocSection:
    name: str
    articles: list[DocArticle]


@dataclass
class IssueDocument:
    journal: str
    office: str
    year: int
    number: int | None
    date: dt.date
    leader_box: bool
    sections: list[DocSection]
    report_to: str = ""
    send_to: str = ""
    issue_to: str = ""
    notice: str = ""
    corrects: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def number_line(self) -> str:
        return f"第 {self.number} 期" if self.number else "（未编号）"

    @property
    def date_line(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


def _images(article: Article) -> list[DocImage]:
    out = []
    for image in article.images.all():
        with image.file.open("rb") as f:
            out.append(DocImage(f.read(), image.width, image.height, image.caption))
    return out


def issue_document(issue: Issue) -> IssueDocument:
    journal = issue.journal
    sections = [
        DocSection(
            s.name,
            [
                DocArticle(
                    e.article.title,
                    e.article.byline,
                    blocks(e.article.body),
                    e.article.pk,
                    _images(e.article),
                )
                for e in s.entries
            ],
        )
        for s in issue_sections(issue)
    ]
    corrects = issue.corrects
    return IssueDocument(
        journal=journal.name,
        office=journal.office,
        year=issue.year,
        number=issue.number,
        date=issue.issue_date,
        leader_box=issue.leader_box,
        sections=[s for s in sections if s.articles] if issue.corrects_id else sections,
        report_to=journal.report_to,
        send_to=journal.send_to,
        issue_to=journal.issue_to,
        notice=issue.notice,
        corrects=str(corrects) if corrects else "",
    )
