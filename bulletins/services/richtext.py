"""The rich text an article keeps: paragraphs, two heading levels, bold and italics — nothing else.

A paste from Word arrives with styles, classes, conditional comments and <o:p> tags; nh3 (the Ammonia
sanitizer) keeps only the allowed tags without attributes. Divs and other headings are mapped first, so a
paste keeps its paragraphs. Plain text (no tags) becomes one paragraph per line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple

import nh3

from bulletins import defaults

_MAP = [
    (re.compile(r"<\s*(/?)\s*div\b[^>]*>", re.I), r"<\1p>"),
    (re.compile(r"<\s*(/?)\s*h1\b[^>]*>", re.I), r"<\1h2>"),
    (re.compile(r"<\s*(/?)\s*h[4-6]\b[^>]*>", re.I), r"<\1h3>"),
]
_TAG = re.compile(r"<[a-zA-Z/!]")


def clean_html(text: str) -> str:
    """The allowed subset of `text` (HTML or plain text), empty paragraphs dropped."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        lines = [line.strip() for line in text.split("\n")]
        return "".join(f"<p>{nh3.clean_text(line)}</p>" for line in lines if line)
    for pattern, repl in _MAP:
        text = pattern.sub(repl, text)
    cleaned = nh3.clean(
        text,
        tags=set(defaults.ALLOWED_TAGS),
        attributes={},
        clean_content_tags={"script", "style", "xml", "title", "head"},
        strip_comments=True,
        link_rel=None,
    )
    cleaned = re.sub(r"<p>(\s|&nbsp;|<br>)*</p>", "", cleaned)
    return cleaned.strip()


class Run(NamedTuple):
    text: str
    bold: bool


class Block(NamedTuple):
    kind: str  # "p", "h2" or "h3"
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.kind = "p"
        self.runs: list[Run] = []
        self.bold = 0

    def _flush(self) -> None:
        text = "".join(r.text for r in self.runs).strip()
        if text:
            runs = [r for r in self.runs if r.text]
            runs[0] = Run(runs[0].text.lstrip(), runs[0].bold)
            runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold)
            self.blocks.append(Block(self.kind, runs))
        self.runs = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h2", "h3"):
            self._flush()
            self.kind = tag
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "h2", "h3"):
            self._flush()
            self.kind = "p"
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data: str) -> None:
        self.runs.append(Run(data.replace("\n", ""), self.bold > 0))


def blocks(html: str) -> list[Block]:
    """The paragraphs and headings of cleaned HTML, each as runs of plain or bold text."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def plain_text(html: str) -> str:
    return "\n".join(b.text for b in blocks(html))
