"""The sealed list (密封清单) of initial passwords as a PDF (fpdf2): one section per organization, one slip per
person, to be cut apart along the dashed lines and handed over folded. Chinese needs a CJK font
(XIANFENG_PDF_FONT or the usual system locations, as 一人一档)."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from fpdf import FPDF

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]
NOTO_SC_INDEX = 2  # Simplified Chinese in the Noto CJK collections
SLIP_HEIGHT = 30.0


def _font() -> Path:
    configured = getattr(settings, "POINTS_PDF_FONT", "")
    for candidate in [configured] if configured else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ValidationError("生成PDF需要中文字体：请安装 fonts-noto-cjk，或设置 XIANFENG_PDF_FONT")


def sealed_list_pdf(rows: list[list[str]], *, title: str) -> bytes:
    """rows: [org path, org name, member name, login, initial password], sorted by organization."""
    font = _font()
    doc = FPDF(format="A4")
    index = NOTO_SC_INDEX if "NotoS" in font.name and font.suffix == ".ttc" else 0
    doc.add_font("cjk", "", str(font), collection_font_number=index)
    doc.set_title(title)
    doc.set_auto_page_break(False)
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    for (_, org_name), people in groupby(rows, key=lambda r: (r[0], r[1])):
        doc.add_page()
        doc.set_font("cjk", size=14)
        doc.cell(0, 9, f"{org_name} · 账号初始密码密封清单", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=8)
        doc.cell(0, 5, f"{title}　打印于 {printed}　沿虚线剪开，对折后分别交本人；本清单只能下载一次。")
        doc.ln(8)
        for _, _, name, login, password in people:
            if doc.get_y() + SLIP_HEIGHT > doc.h - 12:
                doc.add_page()
            top = doc.get_y()
            doc.set_dash_pattern(dash=1, gap=1)
            doc.line(doc.l_margin, top, doc.w - doc.r_margin, top)
            doc.set_dash_pattern()
            doc.set_xy(doc.l_margin, top + 3)
            doc.set_font("cjk", size=11)
            doc.cell(0, 6, f"{name}　{org_name}", new_x="LMARGIN", new_y="NEXT")
            doc.cell(0, 7, f"登录名：{login}　　初始密码：{password}", new_x="LMARGIN", new_y="NEXT")
            doc.set_font("cjk", size=8)
            doc.cell(
                0, 5, "登记了手机号的也可用手机号登录。首次登录须修改密码；请勿转告他人。", new_x="LMARGIN"
            )
            doc.set_y(top + SLIP_HEIGHT)
    return bytes(doc.output())
