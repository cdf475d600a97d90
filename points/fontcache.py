"""Font files parsed once per process, for every PDF the apps write (一人一档 here, 《组工信息》 in bulletins).

fpdf2's add_font reads and measures the whole font on every document: for the ~7,000-character GB 2312
fonts the project ships that was half of a bulletin's time and most of a 一人一档's (bench/RESULTS.md,
issues 13 and 18). `add_font` below keeps the parsed font per process and gives each document its own copy.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont


@dataclass(frozen=True)
class Parsed:
    """A font file read and measured once per process: fpdf2's TTFFont as built (cmap, widths, glyph ids,
    descriptor), the file's bytes and its glyph order. Each document gets its own copy with a fresh
    fontTools object over the same bytes, because writing the PDF subsets that object in place."""

    template: TTFFont
    data: bytes
    glyph_order: tuple[str, ...]


@functools.lru_cache(maxsize=8)
def parsed(path: str, index: int) -> Parsed | None:
    template = TTFFont(FPDF(), Path(path), "cached", "", collection_font_number=index)
    fresh = ttLib.TTFont(path, fontNumber=index, lazy=True)
    # fpdf2 draws a .notdef into a font that lacks one: such a font is not cached (it is added the plain way)
    if "glyf" in fresh and ".notdef" not in fresh["glyf"]:
        return None
    order = tuple(template.ttfont.getGlyphOrder())
    template.ttfont.close()
    template.ttfont = None  # type: ignore[assignment]
    return Parsed(template, Path(path).read_bytes(), order)


def font_copy(font_file: Parsed, *, number: int, fontkey: str, index: int) -> TTFFont:
    """A TTFFont for one document from the parsed one: the read-only tables shared, the widths (a
    defaultdict that grows on look-up) copied, the subset and the fontTools object its own."""
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(font_file.template, slot):  # a few slots are set only for some fonts
            setattr(font, slot, getattr(font_file.template, slot))
    font.i = number
    font.fontkey = fontkey
    font.cw = font_file.template.cw.copy()
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    # recalcBBoxes=False: the subset's glyphs are written as the file has them, not decoded and re-encoded
    # to recompute bounds the file already holds (that was 40% of a 一人一档 PDF's time, issue 13).
    font.ttfont = ttLib.TTFont(
        io.BytesIO(font_file.data), recalcTimestamp=False, recalcBBoxes=False, fontNumber=index, lazy=True
    )
    font.ttfont.setGlyphOrder(list(font_file.glyph_order))
    font.subset = SubsetMap(font)
    return font


def add_font(doc: FPDF, family: str, path: str, index: int = 0) -> None:
    """doc.add_font(family, "", path) (one regular face) without parsing the file again in this process."""
    font_file = parsed(path, index)
    if font_file is None:
        doc.add_font(family, "", path, collection_font_number=index)
        return
    doc.fonts[family] = font_copy(font_file, number=len(doc.fonts) + 1, fontkey=family, index=index)
