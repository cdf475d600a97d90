"""Build the two CJK fonts the project ships, cut from Noto CJK (SIL Open Font License 1.1) so the PDFs load
a small font instead of a 19 MB collection and need no system font:

- sans: points/fonts/XianfengSans-GB2312.ttf, Noto Sans CJK SC Regular: the 一人一档 PDF (points/pdf.py)
  and the bulletin's 黑体;
- serif: bulletins/fontfiles/XianfengSerif-GB2312.ttf, Noto Serif CJK SC Regular: the 《组工信息》 PDF's
  仿宋, 楷体 and 小标宋 roles (bulletins/fonts.py).

Both keep ASCII, CJK punctuation, full-width forms and the 6,763 characters of GB 2312; the serif also keeps
△ ★ (the bulletin's article and section marks) and the rare characters of personal and place names listed
in NAME_CHARACTERS (outside GB 2312, e.g. 瑢 喆 堃). Text outside a font falls back to the system's.

What the PDFs do not use is left out (vertical metrics, OpenType layout, glyph names), and the outlines
are converted from CFF to TrueType: fpdf2 subsets a TrueType font several times faster, since CFF
subsetting re-runs every charstring.

    .venv/bin/python scripts/build_cjk_font.py [sans|serif|all] [--source FILE.ttc] [--out DIR]

--source replaces the Noto collection of the one font asked for; --out writes there instead of into the
repository (to compare a build with the shipped files).
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
NOTO = Path("/usr/share/fonts/opentype/noto")
SC_FACE = 2  # the Simplified Chinese face in Noto's CJK collections

# Characters of given names and places outside GB 2312 (most are in the 通用规范汉字表 of 2013, added for
# names). Only those the source font has are kept; the rest of this list is in GB 2312 already.
NAME_CHARACTERS = (
    "瑢喆堃昇玥珺赟彧翀旻晔暐燊镕垚昉淏琤瑄璟珣祎禛妤婕琍玮琰瑀璐珂玙琬璇瑛钰铖锴炜焓煜熠烨晗晟昀"
    "曦昱暄玹琮瑭璠璘珩琇珏琦祺禕祐祯栩楠梓榕槿桦梵芃苒茜菡萱蓁蕙薏芮荻萁婧婳姝嫣嬿媛妍妘姗姮娅婠"
    "彤彦弢翊翌翎羿骁骅骐鹍鹓鲲鹮龑㛃䶮淇澍濛潆瀚滢澜湉沄泓洺浛溦犇骉焱皛琛瑨玚旸曌曈昶晞暻曜炅煊"
    "熹燚钘铄锟锘颢颉頔玓珅珝珦琎琲瑗瑷璁璈瓅甦稹筠箐篪綦缙翚翥芊苡莛菀蔓蕤藜虓衎觐谞贇轶邕郅霁"
    "霈韫頫颙飚骞鹤麒堉埼崟崑嵘峣峤岚岍岵岿嵛嵚嵩巍珮珲琊琚琨瑒瑫瑱瑸璞璩璪璨玢玠玳珈珙珧珸琀琡"
    "琭瑆瑊瑝瑧瑮瑳璆璇璋璥璲瓒瓘晁晖晙晢晳暕暖暲暾曛昕昺昳晏晋炆炘炟炫烜烽焜焮煇煐煦煚熙熺燏燠"
    "钤钺铉铍铧铨锃锜锳镛镠镡鍪淦淩渼湜溍滉漪潇潍澔濠瀛灏沆沇泚洹浈浔涒涓淳渊湛滟漳潼澂澈濯沣"
    "沨泖泠洳浠浥涞涠涴淯渝湋溱溶滋滺漓潢澧濂灈灵灿炜烁焕燕祉祚祜祧禄禊禤禧禾秭稷穆窈窕笃筱简"
    "箬篁篆篪簃紘纮绂绛绮绶缃缈缟羲翙翮翾耘耜聃肸胤臻舫舸艋艽芄芈芗芷苈苠苾茀茆荀荃荇莘莼菁"
    "萏蒨蓥蔺蕃蕰薰藻蘅虔衍袆褆觊訾詝誉谌谞谡谳豫贲贽赉赓赜跞迳逄逵遹邰郗郜郤鄞酆醴釉钿铮锋镌"
    "镒镔镝阊阍陟隗雎霖霙靖靳韡颀颋颎颙馥驎骃骕骙鲂鸾鹂鹄麟黉黻鼐龚"
)


@dataclass(frozen=True)
class Cut:
    source: Path
    target: Path
    extra: frozenset[int] = field(default_factory=frozenset)


CUTS = {
    "sans": Cut(NOTO / "NotoSansCJK-Regular.ttc", ROOT / "points" / "fonts" / "XianfengSans-GB2312.ttf"),
    "serif": Cut(
        NOTO / "NotoSerifCJK-Regular.ttc",
        ROOT / "bulletins" / "fontfiles" / "XianfengSerif-GB2312.ttf",
        frozenset({0x25B3, 0x2605} | {ord(c) for c in NAME_CHARACTERS}),
    ),
}


def gb2312() -> set[int]:
    chars: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
    return chars


def base_characters() -> set[int]:
    wanted = gb2312() | set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    wanted |= {0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2103, 0x00D7, 0x2460, 0x2461, 0x2462}
    return wanted


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


def build(cut: Cut, source: Path, target: Path) -> TTFont:
    font = TTCollection(str(source)).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["vmtx", "vhea", "VORG", "GSUB", "GPOS", "BASE", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=base_characters() | cut.extra)
    subsetter.subset(font)
    to_truetype(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    print(f"{target}: {target.stat().st_size:,} bytes, {len(font.getBestCmap()):,} characters")
    return font


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the CJK fonts the project ships.")
    parser.add_argument("which", nargs="?", choices=[*CUTS, "all"], default="all")
    parser.add_argument("--source", type=Path, help="the Noto CJK collection (one font only)")
    parser.add_argument("--out", type=Path, help="a directory to write to instead of the repository")
    args = parser.parse_args()
    names = list(CUTS) if args.which == "all" else [args.which]
    if args.source and len(names) > 1:
        parser.error("--source needs sans or serif")
    for name in names:
        cut = CUTS[name]
        target = args.out / cut.target.name if args.out else cut.target
        font = build(cut, args.source or cut.source, target)
        if name == "serif":
            rare = {ord(c) for c in NAME_CHARACTERS} - gb2312()
            kept = rare & set(font.getBestCmap())
            print(f"name characters outside GB 2312: {len(rare)} listed, {len(kept)} in the font")


if __name__ == "__main__":
    main()
