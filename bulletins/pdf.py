"""《组工信息》 as a PDF in the GB/T 9704-2012 layout (fpdf2, pure Python, fonts embedded as subsets).

A4; 版心 156 × 225 mm at 37 mm from the top and 28 mm from the left; body text in a 仿宋-style font of 3号
size on a grid of 22 lines × 28 characters (defaults.py). The first page carries the red 版头 (journal
name), 期号, the 编印单位 and date line, the red separator, the table of contents with page numbers and
the 领导批示 box; the articles follow from page 2 by section, each opening with △ and its title and closing
with its unit in brackets 「（桐城市委组织部）」; the 报/送/发 block closes the last page. Page numbers
「— 2 —」 sit 7 mm below the 版心, right on odd pages and left on even ones.

The table of contents needs the pages the articles fall on: its titles are laid out first, and the dot
leaders and page numbers are drawn back on the first page once the articles are placed.

fpdf2 rather than WeasyPrint or ReportLab: already a dependency (一人一档), pure Python with no system
libraries (WeasyPrint needs Pango), and the grid layout is drawn by coordinates, which is what the standard
prescribes anyway.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import cast

from fpdf import FPDF
from fpdf.enums import TextMode
from fpdf.fonts import TTFFont

from bulletins import defaults as d
from bulletins import fonts
from bulletins.document import DocArticle, DocImage, IssueDocument
from points import fontcache

RED = (230, 0, 18)
PT = 25.4 / 72  # millimetres per point
TEXT_WIDTH = d.PAGE_WIDTH - d.MARGIN_LEFT - d.MARGIN_RIGHT  # 156
TEXT_HEIGHT = d.PAGE_HEIGHT - d.MARGIN_TOP - d.MARGIN_BOTTOM  # 225
PITCH = TEXT_HEIGHT / d.LINES_PER_PAGE  # line pitch, mm
CELL = TEXT_WIDTH / d.CHARS_PER_LINE  # one character of the grid, mm
BODY_SIZE = CELL / PT  # 15.79 pt: 3号 (16 pt) narrowed so that 28 characters fill the 156 mm line
# A line may not start with these (避头): the previous character moves down with them.
NO_START = set("，。、；：？！）》」』”’…—·%,.;:?!)]")
# Nor end with these (避尾).
NO_END = set("（《「『“‘([")

Token = tuple[str, str]  # (character, font role)
ROLES = ("body", "bold", "heading", "kai", "title")
STROKE = 0.035  # stroke width of a bold drawn from a regular face, in ems


@dataclass
class Layout:
    pages: int = 0
    article_pages: dict[int, int] = field(default_factory=dict)  # article key → page
    missing: str = ""  # characters no font found has (drawn as blanks): should stay empty


# The per-process cache of parsed fonts (shared with the 一人一档 PDF); bench and tests clear it by this name.
_parsed = fontcache.parsed


class _Bulletin(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(d.MARGIN_LEFT, d.MARGIN_TOP, d.MARGIN_RIGHT)
        self.set_auto_page_break(False)
        families: dict[tuple[str, int], str] = {}
        self.role_family: dict[str, str] = {}
        self.role_stroked: dict[str, bool] = {}
        for role in ROLES:
            face = fonts.find(role)
            self.role_stroked[role] = face.fake_bold
            key = (str(face.path), face.index)
            if key not in families:
                families[key] = f"f{len(families)}"
                self.add_cached_font(families[key], face)
            self.role_family[role] = families[key]
        self.families = families
        self.line_no = 0
        self._widths: dict[tuple[str, str], float] = {}

    def add_cached_font(self, family: str, face: fonts.FontFile) -> None:
        """add_font without parsing the file again: the ~7,000-character GB 2312 fonts are read once per
        process (points.fontcache), which was half of a PDF's time (bench/RESULTS.md, issue 18)."""
        fontcache.add_font(self, family, str(face.path), face.index)

    def cover(self, text: str) -> None:
        """Add fallback fonts (in order) for characters the role fonts lack, only when there are such."""
        maps = [self._cmap(family) for family in set(self.role_family.values())]
        # missing from at least one role's font: a fallback draws it where that font is in use
        missing = {ch for ch in set(text) if not ch.isspace() and any(ord(ch) not in m for m in maps)}
        names = []
        for face in fonts.fallbacks():
            if not missing:
                break
            key = (str(face.path), face.index)
            if key not in self.families:
                self.families[key] = f"f{len(self.families)}"
                self.add_cached_font(self.families[key], face)
            cmap = self._cmap(self.families[key])
            if any(ord(ch) in cmap for ch in missing):
                names.append(self.families[key])
                missing = {ch for ch in missing if ord(ch) not in cmap}
        self.missing = missing
        self.fallback_names = names
        if names:
            self.set_fallback_fonts(names, exact_match=False)

    def family_for(self, ch: str, role: str) -> str:
        """The role's font, or the first fallback that has the character: fpdf2's text() draws with the
        selected font only, so a character the role's font lacks is drawn from its own run."""
        family = self.role_family[role]
        if ch.isspace() or ord(ch) in self._cmap(family):
            return family
        for name in getattr(self, "fallback_names", []):
            if ord(ch) in self._cmap(name):
                return name
        return family

    def _cmap(self, family: str) -> dict[int, str]:
        return cast(TTFFont, self.fonts[family]).cmap

    def use(self, role: str, size: float, family: str = "") -> None:
        self.set_font(family or self.role_family[role], size=size)
        if self.role_stroked[role]:  # bold drawn from a regular face: filled and stroked in the text colour
            self.text_mode = TextMode.FILL_STROKE
            self.set_line_width(size * PT * STROKE)
        else:
            self.text_mode = TextMode.FILL

    def refont(self, role: str, size: float) -> None:
        """Select a font again on a page we came back to: fpdf2 skips a selection equal to its last one,
        which was made on another page's content stream."""
        self.set_font(self.role_family[role], size=size + 1)
        self.use(role, size)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.use("body", 14)
        label = f"— {self.page_no()} —"
        width = self.get_string_width(label)
        one = 14 * PT
        x = d.PAGE_WIDTH - d.MARGIN_RIGHT - one - width if self.page_no() % 2 else d.MARGIN_LEFT + one
        self.text(x, d.PAGE_HEIGHT - d.MARGIN_BOTTOM + d.PAGE_NUMBER_GAP + 14 * PT, label)

    def width(self, ch: str, role: str) -> float:
        key = (ch, role)
        if key not in self._widths:
            self.use(role, BODY_SIZE, self.family_for(ch, role))
            self._widths[key] = self.get_string_width(ch)
        return self._widths[key]

    # The grid: line_no counts the body lines used on the current page.
    def new_page(self) -> None:
        self.add_page()
        self.line_no = 0

    def baseline(self, line: int) -> float:
        return d.MARGIN_TOP + line * PITCH + PITCH * 0.72

    def take_line(self) -> float:
        if self.line_no >= d.LINES_PER_PAGE:
            self.new_page()
        y = self.baseline(self.line_no)
        self.line_no += 1
        return y

    def draw_line(self, tokens: list[Token], indent: float, justify: bool, y: float) -> None:
        natural = sum(self.width(ch, role) for ch, role in tokens)
        gaps = len(tokens) - 1
        spare = TEXT_WIDTH - indent - natural
        extra = spare / gaps if justify and gaps > 0 and 0 < spare < CELL * 2 else 0.0
        x = d.MARGIN_LEFT + indent
        runs = [(ch, role, self.family_for(ch, role)) for ch, role in tokens]
        i = 0
        while i < len(runs):
            role, family = runs[i][1], runs[i][2]
            j = i
            while j < len(runs) and runs[j][1:] == (role, family):
                j += 1
            run = "".join(ch for ch, _, _ in runs[i:j])
            self.use(role, BODY_SIZE, family)
            self.set_char_spacing(extra)
            self.text(x, y, run)
            x += sum(self.width(ch, role) for ch, _, _ in runs[i:j]) + extra * (j - i)
            self.set_char_spacing(0)
            i = j

    def paragraph(self, tokens: list[Token], first_indent: float = 2 * CELL) -> None:
        """Break tokens into grid lines (避头尾), justified but the last line."""
        lines: list[list[Token]] = []
        current: list[Token] = []
        used = first_indent
        for tok in tokens:
            w = self.width(*tok)
            if current and used + w > TEXT_WIDTH + 0.01:
                carry: list[Token] = []
                if tok[0] in NO_START and len(current) > 1:
                    carry = [current.pop()]
                while len(current) > 1 and current[-1][0] in NO_END:
                    carry.insert(0, current.pop())
                lines.append(current)
                current = carry
                used = sum(self.width(*t) for t in current)
            current.append(tok)
            used += w
        if current:
            lines.append(current)
        for n, line in enumerate(lines):
            indent = first_indent if n == 0 else 0.0
            self.draw_line(line, indent, justify=n < len(lines) - 1, y=self.take_line())

    def centred(self, text: str, role: str) -> None:
        y = self.take_line()
        width = sum(self.width(ch, role) for ch in text)
        self.draw_line([(ch, role) for ch in text], (TEXT_WIDTH - width) / 2, False, y)


def _tokens(text: str, role: str) -> list[Token]:
    return [(ch, role) for ch in text]


def _masthead(doc: _Bulletin, issue: IssueDocument) -> None:
    top = d.MARGIN_TOP
    doc.set_text_color(*RED)
    doc.set_draw_color(*RED)  # the stroke of the bold title
    doc.use("title", 42)
    name = issue.journal
    doc.text((d.PAGE_WIDTH - doc.get_string_width(name)) / 2, top + 16, name)
    doc.set_text_color(0, 0, 0)
    doc.set_draw_color(0, 0, 0)
    doc.use("body", BODY_SIZE)
    label = issue.number_line
    doc.text((d.PAGE_WIDTH - doc.get_string_width(label)) / 2, top + 30, label)
    doc.text(d.MARGIN_LEFT + CELL, top + 42, issue.office)
    doc.text(
        d.PAGE_WIDTH - d.MARGIN_RIGHT - CELL - doc.get_string_width(issue.date_line),
        top + 42,
        issue.date_line,
    )
    doc.set_draw_color(*RED)
    doc.set_line_width(0.6)
    doc.line(d.MARGIN_LEFT, top + 46, d.PAGE_WIDTH - d.MARGIN_RIGHT, top + 46)
    doc.set_draw_color(0, 0, 0)
    # The grid resumes under the separator.
    doc.line_no = int((46 + 2) / PITCH) + 1


Pending = tuple[int, float, float]  # article key, baseline y and where the title ends on page 1


def _toc(doc: _Bulletin, issue: IssueDocument) -> list[Pending]:
    pending: list[Pending] = []
    for section in issue.sections:
        if not section.articles:
            continue
        doc.paragraph(_tokens(f"★ {section.name}", "heading"), first_indent=0)
        for article in section.articles:
            pending.append((article.key, *_toc_entry(doc, article.title)))
    return pending


def _toc_entry(doc: _Bulletin, title: str) -> tuple[float, float]:
    """A title over as many lines as it needs, leaving room for the dot leaders and page number."""
    room = TEXT_WIDTH - 4 * CELL
    lines: list[str] = []
    current = ""
    for ch in title:
        if current and sum(doc.width(c, "body") for c in current + ch) > room:
            lines.append(current)
            current = ""
        current += ch
    lines.append(current)
    y = end = 0.0
    for n, line in enumerate(lines):
        indent = CELL if n == 0 else 2 * CELL
        y = doc.take_line()
        doc.draw_line(_tokens(line, "body"), indent, False, y)
        end = d.MARGIN_LEFT + indent + sum(doc.width(c, "body") for c in line)
    return y, end


def _toc_numbers(doc: _Bulletin, pending: list[Pending], pages: dict[int, int]) -> None:
    """Back on the first page, the dot leaders and the page each article starts on."""
    last = doc.page
    doc.page = 1
    doc.refont("body", BODY_SIZE)
    dot = doc.get_string_width(".")
    for key, y, start in pending:
        number = str(pages.get(key, ""))
        right = d.PAGE_WIDTH - d.MARGIN_RIGHT - doc.get_string_width(number)
        dots = "." * max(3, int((right - start - 2) / dot))
        doc.text(right - 1 - doc.get_string_width(dots), y, dots)
        doc.text(right, y, number)
    doc.page = last
    doc.refont("body", BODY_SIZE)


def _leader_box(doc: _Bulletin) -> None:
    lines = 4
    if doc.line_no + lines + 1 > d.LINES_PER_PAGE:
        return
    doc.line_no += 1
    top = d.MARGIN_TOP + doc.line_no * PITCH
    doc.set_line_width(0.3)
    doc.rect(d.MARGIN_LEFT, top, TEXT_WIDTH, lines * PITCH)
    doc.use("heading", BODY_SIZE)
    doc.text(d.MARGIN_LEFT + CELL / 2, top + PITCH * 0.72, "领导批示：")
    doc.line_no += lines


def _run_role(kind: str, bold: bool) -> str:
    """GB/T 9704's levels: 一级标题 黑体, 二级标题 楷体, emphasis in the body 仿宋 bold."""
    if kind == "h2":
        return "heading"
    if kind == "h3":
        return "kai"
    return "bold" if bold else "body"


def _article(doc: _Bulletin, article: DocArticle) -> None:
    first = True
    tail = f"（{article.byline}）" if article.byline else ""
    blocks = article.blocks or []
    for n, block in enumerate(blocks):
        tokens: list[Token] = []
        if first:
            tokens = _tokens(f"△{article.title}。", "heading")
            first = False
        for run in block.runs:
            tokens += _tokens(run.text, _run_role(block.kind, run.bold))
        if n == len(blocks) - 1:
            tokens += _tokens(tail, "body")
        doc.paragraph(tokens)
    if not blocks:
        doc.paragraph(_tokens(f"△{article.title}。", "heading") + _tokens(tail, "body"))
    for image in article.images:
        _image(doc, image)


IMAGE_WIDTH = TEXT_WIDTH * 0.75  # a picture's width at most, centred in the 版心


def _image(doc: _Bulletin, image: DocImage) -> None:
    """A picture on whole grid lines (the text below stays on the grid), its caption centred under it in
    楷体; a new page when it does not fit what is left of this one."""
    width = IMAGE_WIDTH
    height = width * image.height / max(image.width, 1)
    tallest = (d.LINES_PER_PAGE - 2) * PITCH
    if height > tallest:
        height, width = tallest, tallest * image.width / max(image.height, 1)
    lines = math.ceil(height / PITCH)
    if doc.line_no + lines + (1 if image.caption else 0) > d.LINES_PER_PAGE:
        doc.new_page()
    top = d.MARGIN_TOP + doc.line_no * PITCH + (lines * PITCH - height) / 2
    doc.image(io.BytesIO(image.data), x=d.MARGIN_LEFT + (TEXT_WIDTH - width) / 2, y=top, w=width, h=height)
    doc.line_no += lines
    if image.caption:
        doc.centred(image.caption, "kai")


def _distribution(doc: _Bulletin, issue: IssueDocument) -> None:
    rows = [(k, v) for k, v in (("报", issue.report_to), ("送", issue.send_to), ("发", issue.issue_to)) if v]
    if not rows:
        return
    needed = sum(1 + len(v) // (d.CHARS_PER_LINE - 3) for _, v in rows)
    if doc.line_no + needed + 1 > d.LINES_PER_PAGE:
        doc.new_page()
    doc.line_no = d.LINES_PER_PAGE - needed
    doc.set_line_width(0.35)
    y_top = d.MARGIN_TOP + doc.line_no * PITCH
    doc.line(d.MARGIN_LEFT, y_top, d.PAGE_WIDTH - d.MARGIN_RIGHT, y_top)
    for key, value in rows:
        doc.paragraph(_tokens(f"{key}：", "heading") + _tokens(value, "body"), first_indent=CELL)
    y_end = d.MARGIN_TOP + doc.line_no * PITCH
    doc.line(d.MARGIN_LEFT, y_end, d.PAGE_WIDTH - d.MARGIN_RIGHT, y_end)


def _all_text(issue: IssueDocument) -> str:
    parts = [issue.journal, issue.office, issue.number_line, issue.date_line, issue.notice, issue.corrects]
    parts += [issue.report_to, issue.send_to, issue.issue_to, "★△—（）。：领导批示更正报送发0123456789."]
    for section in issue.sections:
        parts.append(section.name)
        for article in section.articles:
            parts += [article.title, article.byline, *(b.text for b in article.blocks)]
            parts += [image.caption for image in article.images]
    return "".join(parts)


def render_pdf(issue: IssueDocument) -> tuple[bytes, Layout]:
    """The PDF bytes and where each article landed (the table of contents shows the same pages)."""
    doc = _Bulletin()
    doc.cover(_all_text(issue))
    doc.set_title(f"{issue.journal} {issue.year}年{issue.number_line}")
    doc.set_creator("先锋智慧党建")
    layout = Layout()
    doc.new_page()
    _masthead(doc, issue)
    pending: list[Pending] = []
    if issue.corrects:
        doc.centred("更　正", "heading")
        doc.paragraph(_tokens(f"{issue.corrects}：{issue.notice}", "body"))
    else:
        pending = _toc(doc, issue)
        if issue.leader_box:
            _leader_box(doc)
    for section in issue.sections:
        if not section.articles:
            continue
        if doc.page_no() == 1:
            doc.new_page()
        doc.centred(section.name, "heading")
        for article in section.articles:
            if doc.line_no >= d.LINES_PER_PAGE:
                doc.new_page()
            layout.article_pages[article.key] = doc.page_no()
            _article(doc, article)
    _distribution(doc, issue)
    _toc_numbers(doc, pending, layout.article_pages)
    layout.pages = doc.page_no()
    layout.missing = "".join(sorted(doc.missing))
    return bytes(doc.output()), layout
