"""聘书 (appointment letter, A4 landscape) and 工作证 (work card, ID-1 size) as PDFs, with fpdf2 and the
CJK font lookup of points.pdf (FontMissing when the server has no Chinese font)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF

from observers.models import Observer
from points.pdf import NOTO_SC_INDEX, FontMissing, find_font

__all__ = ["FontMissing", "appointment_letter_pdf", "work_card_pdf"]

RED = (200, 22, 29)
GOLD = (191, 144, 0)
DIGITS = "〇一二三四五六七八九"


def chinese_date(day: dt.date) -> str:
    """2026-03-05 → 二〇二六年三月五日 (the form used on letters and seals)."""

    def number(n: int) -> str:
        if n < 10:
            return DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")

    return f"{''.join(DIGITS[int(c)] for c in str(day.year))}年{number(day.month)}月{number(day.day)}日"


def _doc(font: Path, title: str, **kwargs: object) -> FPDF:
    doc = FPDF(**kwargs)  # type: ignore[arg-type]
    index = NOTO_SC_INDEX if "NotoS" in font.name and font.suffix == ".ttc" else 0
    doc.add_font("cjk", "", str(font), collection_font_number=index)
    bold = font.with_name(font.name.replace("Regular", "Bold"))
    doc.add_font("cjk", "B", str(bold if bold.is_file() else font), collection_font_number=index)
    doc.set_auto_page_break(False)
    doc.set_title(title)
    return doc


def appointment_letter_pdf(observer: Observer) -> bytes:
    member = observer.member
    doc = _doc(find_font(), f"聘书 {observer.letter_number}", orientation="L", format="A4")
    doc.add_page()
    w, h = doc.w, doc.h
    doc.set_draw_color(*RED)
    doc.set_line_width(2.2)
    doc.rect(10, 10, w - 20, h - 20)
    doc.set_draw_color(*GOLD)
    doc.set_line_width(0.6)
    doc.rect(15, 15, w - 30, h - 30)

    doc.set_text_color(0, 0, 0)
    doc.set_font("cjk", size=12)
    doc.set_xy(25, 24)
    doc.cell(w - 50, 8, observer.letter_number, align="R")

    doc.set_text_color(*RED)
    doc.set_font("cjk", "B", size=44)
    doc.set_xy(0, 42)
    doc.cell(w, 22, "聘　　书", align="C")

    doc.set_text_color(0, 0, 0)
    doc.set_font("cjk", "B", size=18)
    doc.set_xy(40, 78)
    doc.cell(w - 80, 12, f"{member.name}同志：")
    doc.set_font("cjk", size=18)
    doc.set_left_margin(40)
    doc.set_right_margin(40)
    doc.set_xy(40 + 2 * doc.get_string_width("聘"), 92)  # a two-character indent, then the text flows
    doc.write(
        12,
        (
            f"兹聘任您（{member.org.name}）为{observer.committee.name}党内组织生活观察员。"
            "请严格遵守观察员工作纪律，按规定列席基层党组织生活会议，如实填写《党内组织生活观察质量评价表》，"
            "推动党内组织生活规范化、常态化。"
        ),
    )
    doc.set_font("cjk", size=16)
    doc.set_xy(w - 150, h - 62)
    doc.cell(110, 10, observer.committee.name, align="C")
    doc.set_xy(w - 150, h - 50)
    doc.cell(110, 10, chinese_date(observer.appointed_on), align="C")
    return bytes(doc.output())


def work_card_pdf(observer: Observer) -> bytes:
    member = observer.member
    doc = _doc(find_font(), f"工作证 {observer.card_number}", orientation="L", unit="mm", format=(54, 85.6))
    doc.set_margins(0, 0, 0)
    doc.add_page()
    w, h = doc.w, doc.h
    doc.set_fill_color(*RED)
    doc.rect(0, 0, w, 13, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", "B", size=12)
    doc.set_xy(0, 2.2)
    doc.cell(w, 8.5, "党内组织生活观察员工作证", align="C")

    doc.set_draw_color(150, 150, 150)
    doc.set_line_width(0.2)
    doc.rect(5, 17, 20, 26)
    doc.set_text_color(150, 150, 150)
    doc.set_font("cjk", size=7)
    doc.set_xy(5, 28)
    doc.cell(20, 4, "照　片", align="C")

    doc.set_text_color(0, 0, 0)
    lines = [
        ("姓　　名", member.name),
        ("所在组织", member.org.display_name),
        ("所属党委", observer.committee.display_name),
        ("证　　号", observer.card_number),
        ("发证日期", f"{observer.appointed_on:%Y年%m月%d日}"),
    ]
    y = 17.0
    for label, value in lines:
        doc.set_font("cjk", size=6.5)
        doc.set_xy(29, y)
        doc.cell(12, 5, label)
        doc.set_font("cjk", "B" if label.startswith("姓") else "", size=8 if label.startswith("姓") else 6.5)
        doc.set_xy(41, y)
        doc.cell(w - 44, 5, value[:22])
        y += 5.4

    doc.set_fill_color(*GOLD)
    doc.rect(0, h - 7, w, 7, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", size=6)
    doc.set_xy(0, h - 6)
    doc.cell(w, 5, f"{observer.committee.name} 制发 · {observer.letter_number}", align="C")
    return bytes(doc.output())
