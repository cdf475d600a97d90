"""Build bulletins/fontfiles/XianfengSerif-GB2312.ttf: Noto Serif CJK SC Regular (SIL Open Font License 1.1)
cut down to ASCII, CJK punctuation, full-width forms, the 6,763 characters of GB 2312 and the rare
characters of personal and place names listed in NAME_CHARACTERS (outside GB 2312, e.g. 瑢 喆 堃), so the
《组工信息》 PDF has a serif face for its 仿宋 and 小标宋 roles on any machine, with no system font.

Same cut as the 一人一档 sans (scripts/build_pdf_font.py): TrueType outlines, no layout tables.

    .venv/bin/python scripts/build_bulletin_font.py [/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_pdf_font import SC_FACE, gb2312, to_truetype  # noqa: E402

SOURCE = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
TARGET = Path(__file__).resolve().parent.parent / "bulletins" / "fontfiles" / "XianfengSerif-GB2312.ttf"

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


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    font = TTCollection(source).fonts[SC_FACE]
    wanted = gb2312() | set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    wanted |= {0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2103, 0x00D7, 0x2460, 0x2461, 0x2462}
    wanted |= {0x25B3, 0x2605}  # △ ★ of the bulletin's article and section marks
    wanted |= {ord(c) for c in NAME_CHARACTERS}
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
    names = {ord(c) for c in NAME_CHARACTERS} - gb2312()
    kept = names & set(font.getBestCmap())
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes, {len(font.getBestCmap()):,} characters")
    print(f"name characters outside GB 2312: {len(names)} listed, {len(kept)} in the font")


if __name__ == "__main__":
    main()
