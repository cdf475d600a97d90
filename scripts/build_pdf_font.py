"""Build points/fonts/XianfengSans-GB2312.ttf: Noto Sans CJK SC (SIL Open Font License 1.1) cut down to
ASCII, CJK punctuation, full-width forms and the 6,763 characters of GB 2312, so the 一人一档 PDF loads a
small font instead of a 19 MB collection. Text outside it falls back to the system font (points/pdf.py).

What the PDF does not use is left out (vertical metrics, OpenType layout, glyph names), and the outlines
are converted from CFF to TrueType: fpdf2 subsets a TrueType font several times faster, since CFF
subsetting re-runs every charstring.

    .venv/bin/python scripts/build_pdf_font.py [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TARGET = Path(__file__).resolve().parent.parent / "points" / "fonts" / "XianfengSans-GB2312.ttf"
SC_FACE = 2  # Noto Sans CJK SC in the collection


def gb2312() -> set[int]:
    chars: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
    return chars


def to_truetype(font: TTFont) -> None:
    """CFF outlines to quadratic TrueType ones (within one unit), in place."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    del font["CFF "]
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    font = TTCollection(source).fonts[SC_FACE]
    wanted = gb2312() | set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    wanted |= {0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2103, 0x00D7, 0x2460, 0x2461, 0x2462}
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["vmtx", "vhea", "VORG", "GSUB", "GPOS", "BASE", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    to_truetype(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes, {len(font.getBestCmap()):,} characters")


if __name__ == "__main__":
    main()
