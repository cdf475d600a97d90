"""《组工信息》 as a .docx for editing in WPS or Word (python-docx): the same issue as the PDF, in the same
order — 版头, 期号, 编印单位 and date, the red separator, the table of contents (titles only: Word numbers
pages itself), the 领导批示 box, the sections with △ titles and bracketed units, the 报/送/发 block.

Chinese text changes font only through `w:eastAsia` on each run (`font.name` sets the Latin font alone):
仿宋 for the body, 黑体 for section heads and 一级标题, 楷体 for 二级标题, 方正小标宋简体 for the masthead.
The page is GB/T 9704's: A4, margins 37/35/28/26 mm, 3号 (16 pt) body, 28.9 pt line pitch (22 lines).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from bulletins import defaults as d
from bulletins.document import DocArticle, IssueDocument

FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT = 16  # 3号
PITCH_PT = (d.PAGE_HEIGHT - d.MARGIN_TOP - d.MARGIN_BOTTOM) / d.LINES_PER_PAGE / 25.4 * 72


def set_east_asian(run: Run, font: str) -> None:
    """The font of the run's Chinese text (w:rFonts/@w:eastAsia) and, for its Latin text, the same name."""
    run.font.name = font
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _run(p: Paragraph, text: str, font: str = FANGSONG, size: float = BODY_PT, bold: bool = False) -> Run:
    run = p.add_run(text)
    set_east_asian(run, font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _para(doc: object, align: int | None = None, indent: bool = False) -> Paragraph:
    p: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(PITCH_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(BODY_PT * 2)
    if align is not None:
        fmt.alignment = align  # type: ignore[assignment]
    return p


def _rule(p: Paragraph, color: str = "E60012", size: int = 12) -> None:
    """A line under the paragraph (the red separator below the 版头, the rules of the 报/送/发 block)."""
    p_pr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.append(border)


def _images(doc: object, article: DocArticle) -> None:
    for image in article.images:
        p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact pitch would clip the picture
        width = Mm((d.PAGE_WIDTH - d.MARGIN_LEFT - d.MARGIN_RIGHT) * 0.75)
        height = Mm((d.LINES_PER_PAGE - 2) * 225 / d.LINES_PER_PAGE)
        if width * image.height / max(image.width, 1) > height:
            p.add_run().add_picture(io.BytesIO(image.data), height=height)
        else:
            p.add_run().add_picture(io.BytesIO(image.data), width=width)
        if image.caption:
            _run(_para(doc, WD_ALIGN_PARAGRAPH.CENTER), image.caption, KAITI)


def _article(doc: object, article: DocArticle) -> None:
    blocks = article.blocks or []
    tail = f"（{article.byline}）" if article.byline else ""
    first = _para(doc, indent=True)
    _run(first, f"△{article.title}。", HEITI)
    if not blocks:
        _run(first, tail)
    for n, block in enumerate(blocks):
        p = first if n == 0 else _para(doc, indent=True)
        font = {"h2": HEITI, "h3": KAITI}.get(block.kind, FANGSONG)
        for run in block.runs:
            _run(p, run.text, font, bold=run.bold and block.kind == "p")
        if n == len(blocks) - 1:
            _run(p, tail)
    _images(doc, article)


def render_docx(issue: IssueDocument) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(d.PAGE_WIDTH), Mm(d.PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Mm(d.MARGIN_TOP), Mm(d.MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(d.MARGIN_LEFT), Mm(d.MARGIN_RIGHT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    doc.core_properties.title = f"{issue.journal} {issue.year}年{issue.number_line}"

    masthead = _para(doc, WD_ALIGN_PARAGRAPH.CENTER)
    masthead.paragraph_format.line_spacing = Pt(60)
    _run(masthead, issue.journal, XIAOBIAOSONG, 42).font.color.rgb = RED
    _run(_para(doc, WD_ALIGN_PARAGRAPH.CENTER), issue.number_line)
    office = _para(doc)
    _run(office, f"{issue.office}\t{issue.date_line}")
    office.paragraph_format.tab_stops.add_tab_stop(Mm(d.PAGE_WIDTH - d.MARGIN_LEFT - d.MARGIN_RIGHT), 2)
    _rule(office)

    if issue.corrects:
        _run(_para(doc, WD_ALIGN_PARAGRAPH.CENTER), "更　正", HEITI)
        _run(_para(doc, indent=True), f"{issue.corrects}：{issue.notice}")
    else:
        for part in issue.sections:
            if not part.articles:
                continue
            _run(_para(doc), f"★ {part.name}", HEITI)
            for article in part.articles:
                _run(_para(doc, indent=True), article.title)
        if issue.leader_box:
            box = doc.add_table(rows=1, cols=1)
            box.style = "Table Grid"
            cell = box.cell(0, 0).paragraphs[0]
            _run(cell, "领导批示：", HEITI)
            for _ in range(3):
                box.cell(0, 0).add_paragraph()
    for part in issue.sections:
        if not part.articles:
            continue
        heading = _para(doc, WD_ALIGN_PARAGRAPH.CENTER)
        heading.paragraph_format.page_break_before = part is next(s for s in issue.sections if s.articles)
        _run(heading, part.name, HEITI)
        for article in part.articles:
            _article(doc, article)
    rows = [(k, v) for k, v in (("报", issue.report_to), ("送", issue.send_to), ("发", issue.issue_to)) if v]
    if rows:
        _rule(_para(doc), "000000", 8)
        for key, value in rows:
            p = _para(doc)
            _run(p, f"{key}：", HEITI)
            _run(p, value)
        _rule(p, "000000", 8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
