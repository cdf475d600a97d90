"""一人一档 as a printable PDF (fpdf2, pure Python).

Chinese needs a CJK font. The project ships one (points/fonts: Noto Sans CJK SC cut down to GB 2312 by
scripts/build_cjk_font.py, 2 MB of TrueType); a
document with a character outside it (a rare character in a name) uses XIANFENG_PDF_FONT or a system CJK
font instead (Debian's fonts-noto-cjk, WenQuanYi, Droid fallback). One face only: every line is regular.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont
from fpdf import FPDF

from points import fontcache
from points.sections import FileSection
from points.selectors import MemberFile
from points.services.ledger import fmt

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]
# In Noto CJK collections face 2 is Simplified Chinese; other collections use their first face.
NOTO_SC_INDEX = 2


BUNDLED = Path(__file__).resolve().parent / "fonts" / "XianfengSans-GB2312.ttf"


@cache
def bundled_characters() -> frozenset[int]:
    return frozenset(TTFont(BUNDLED, lazy=True).getBestCmap())


class FontMissing(Exception):
    """No font with Chinese glyphs was found; the message says how to install one."""


def font_for(texts: Iterator[str]) -> Path:
    """The bundled font when it has every character of the document, else a fuller one (find_font)."""
    covered = bundled_characters()
    if not getattr(settings, "POINTS_PDF_FONT", "") and all(ord(c) in covered for t in texts for c in t):
        return BUNDLED
    return find_font()


def find_font() -> Path:
    configured = getattr(settings, "POINTS_PDF_FONT", "")
    for candidate in [configured] if configured else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "生成PDF需要中文字体，但服务器上未找到。请安装中文字体（如 Debian/Ubuntu：apt-get install fonts-noto-cjk），"
        "或设置环境变量 XIANFENG_PDF_FONT 指向一个 .ttf/.otf/.ttc 中文字体文件。"
    )


class _Doc(FPDF):
    def __init__(self, font: Path, title: str) -> None:
        super().__init__(format="A4")
        index = NOTO_SC_INDEX if "NotoS" in font.name and font.suffix == ".ttc" else 0
        fontcache.add_font(self, "cjk", str(font), index)  # parsed once per process
        self.doc_title = title
        self.char_widths: dict[str, float] = {}  # at 9 pt, the size every table is set in
        self.set_auto_page_break(True, margin=15)
        self.set_title(title)

    def header(self) -> None:
        self.set_font("cjk", size=9)
        self.set_text_color(160, 16, 22)
        self.cell(0, 6, "先锋智慧党建 · 学习积分制", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.cell(0, 6, f"{self.doc_title}　第 {self.page_no()} 页", align="C")


def _lines(file: MemberFile) -> list[str]:
    m, t = file.member, file.thresholds
    lines = [
        f"姓名：{m.name}　　所在党组织：{m.org.name}　　人员类别：{m.get_category_display()}",
        f"年度积分：{fmt(file.total)} 分　　合格分：{fmt(t.pass_mark)} 分　　"
        + ("低于合格分：列入约谈名单，取消当年评优评先资格" if file.below_pass else "达到合格分"),
    ]
    if t.version is not None:
        lines.append(f"依据：{t.version.catalogue.document}（第{t.version.number}版）")
    if file.interview:
        lines.append(
            f"约谈：{file.interview.held_on:%Y-%m-%d}，约谈人 {file.interview.interviewer}。{file.interview.notes}"
        )
    return lines


def _blocks(file: MemberFile) -> list[tuple[str, list[list[str]]]]:
    """Each block's title and its rows (date, item, points, source and evidence)."""
    out = []
    for block in file.blocks:
        cap = f"（上限 {fmt(block.cap)} 分）" if block.cap is not None else ""
        rows = []
        for item in block.items.values():
            for e in item.entries:
                detail = [e.source_label]
                if e.declaration_id and e.declaration:
                    detail.append(e.declaration.description[:60])
                if e.capped_reason:
                    detail.append(f"封顶：{e.capped_reason}")
                if e.note:
                    detail.append(e.note)
                rows.append(
                    [f"{e.occurred_on:%Y-%m-%d}", item.name, fmt(e.points), "；".join(d for d in detail if d)]
                )
        out.append((f"{block.name}：{fmt(block.points)} 分{cap}", rows))
    return out


HEADING_FILL = (236, 236, 236)
PAD = 1.0  # mm inside a table cell
LINE = 5.0  # mm per line of 9 pt text
HEADER = ["日期", "项目", "分值", "来源 / 佐证 / 说明"]
FIXED = "先锋智慧党建 · 学习积分制 学习积分“一人一档”年度 第页 本年度暂无记录 组织生活出勤：次"


def member_file_pdf(file: MemberFile) -> bytes:
    m = file.member
    title = f"{m.name} {file.year}年度学习积分档案"
    lines, blocks = _lines(file), _blocks(file)
    texts = [FIXED, title, *HEADER, *lines, *(b for b, _ in blocks)]
    texts += [cell for _, rows in blocks for row in rows for cell in row]
    for s in file.sections:
        texts += [s.title, s.summary, s.empty, *s.headers, *(cell for row in s.rows for cell in row)]
    doc = _Doc(font_for(iter(texts)), title)
    doc.add_page()
    doc.set_font("cjk", size=16)
    doc.cell(0, 10, f"学习积分“一人一档” · {file.year}年度", new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_font("cjk", size=10)
    for line in lines:
        doc.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    widths = [24.0, 62.0, 16.0, 88.0]
    for block_title, rows in blocks:
        doc.set_font("cjk", size=12)
        doc.cell(0, 8, block_title, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=9)
        if not rows:
            doc.cell(0, 6, "本年度暂无记录", new_x="LMARGIN", new_y="NEXT")
            continue
        _table(doc, HEADER, rows, widths, right=(2,))
        doc.ln(2)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, f"组织生活出勤：{len(file.attendance)} 次", new_x="LMARGIN", new_y="NEXT")
    for section in file.sections:
        _section(doc, section)
    return bytes(doc.output())


def _section(doc: _Doc, section: FileSection) -> None:
    doc.ln(2)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    if section.summary:
        doc.multi_cell(0, 5, section.summary, new_x="LMARGIN", new_y="NEXT")
    if not section.rows:
        doc.cell(0, 6, section.empty, new_x="LMARGIN", new_y="NEXT")
        return
    _table(doc, section.headers, section.rows, [doc.epw / len(section.headers)] * len(section.headers))


def _table(
    doc: _Doc,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    right: tuple[int, ...] = (),
) -> None:
    """A bordered table, its heading row shaded (one face: not bold) and repeated on each new page.

    Drawn here rather than with fpdf2's table(): that lays every cell out twice through multi_cell and
    was three quarters of a 一人一档 PDF's time (bench/RESULTS.md, issue 13). Text wraps at any
    character (Chinese has no spaces), with each character's width measured once per document."""

    def row(cells: Sequence[str], fill: bool) -> None:
        wrapped = [_wrap(doc, str(c), w - 2 * PAD) for c, w in zip(cells, widths, strict=True)]
        height = max(len(lines) for lines in wrapped) * LINE + 2 * PAD
        # a heading row needs room for one row under it; a row that does not fit goes to the next page,
        # under the heading again
        if doc.get_y() + height + (LINE + 2 * PAD if fill else 0) > doc.page_break_trigger:
            doc.add_page()
            doc.set_font("cjk", size=9)
            if not fill:
                row(headers, True)
        x, y = doc.l_margin, doc.get_y()
        for i, (lines, width) in enumerate(zip(wrapped, widths, strict=True)):
            doc.rect(x, y, width, height, style="DF" if fill else "D")
            for n, line in enumerate(lines):
                left = x + width - PAD - _width(doc, line) if i in right else x + PAD
                doc.text(left, y + PAD + n * LINE + LINE * 0.72, line)
            x += width
        doc.set_xy(doc.l_margin, y + height)

    doc.set_fill_color(*HEADING_FILL)
    doc.set_draw_color(0, 0, 0)
    doc.set_line_width(0.2)
    doc.set_font("cjk", size=9)
    row(headers, True)
    for cells in rows:
        row(cells, False)


def _width(doc: _Doc, text: str) -> float:
    widths = doc.char_widths
    total = 0.0
    for ch in text:
        w = widths.get(ch)
        if w is None:
            w = widths[ch] = doc.get_string_width(ch)
        total += w
    return total


def _wrap(doc: _Doc, text: str, width: float) -> list[str]:
    """The lines of a cell: at the newlines, and at the last character that fits."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = _width(doc, ch)
            if line and used + w > width:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines
