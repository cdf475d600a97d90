"""The fonts of the bulletin PDF, by role, each with a chain of candidates ending in a font the project ships.

GB/T 9704 names 方正小标宋 (title, masthead), 黑体 (section heads, 一级标题), 楷体 (二级标题) and 仿宋 (body):
commercial fonts. Each role first takes XIANFENG_PDF_FONT (settings.POINTS_PDF_FONT) if set, then the real
face where the machine has one (Windows' simfang/simhei/simkai, TeX Live's Fandol fonts, 方正小标宋 where
licensed, LXGW WenKai, AR PL UKai), then the fonts shipped in the repository, so no role ever depends on
a system font:

- bulletins/fontfiles/XianfengSerif-GB2312.ttf: Noto Serif CJK SC Regular (OFL) cut to GB 2312 plus the
  rare name characters of scripts/build_cjk_font.py (2.9 MB): 仿宋, 楷体 and, drawn bold, 小标宋;
- points/fonts/XianfengSans-GB2312.ttf: Noto Sans CJK SC Regular cut to GB 2312 (the 一人一档 font): 黑体.

A face marked `bold` that is not a bold file is drawn filled and stroked (fpdf2's text rendering mode),
so the text stays extractable. Characters a chosen font lacks are drawn from FALLBACKS in order: the
shipped serif and sans, then whatever fuller CJK fonts the system has (Noto CJK, WenQuanYi, Droid).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from points.pdf import BUNDLED as SHIPPED_SANS

SHIPPED_SERIF = Path(__file__).resolve().parent / "fontfiles" / "XianfengSerif-GB2312.ttf"

_NOTO_DIRS = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
]
_FANDOL_DIRS = [
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",
    "/usr/share/fonts/opentype/fandol",
    "/usr/share/fonts/fandol",
]
_WINDOWS = "C:/Windows/Fonts"
_OTHERS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]


def _noto(name: str) -> list[str]:
    return [f"{d}/{name}" for d in _NOTO_DIRS]


def _fandol(name: str) -> list[str]:
    return [f"{d}/{name}" for d in _FANDOL_DIRS]


# Real faces of each GB/T 9704 role, where the machine has them (none is needed).
SYSTEM: dict[str, list[str]] = {
    "body": [f"{_WINDOWS}/simfang.ttf", *_fandol("FandolFang-Regular.otf")],  # 仿宋
    "bold": [f"{_WINDOWS}/simfang.ttf", *_fandol("FandolFang-Regular.otf")],  # 仿宋, drawn bold
    "heading": [f"{_WINDOWS}/simhei.ttf", *_fandol("FandolHei-Regular.otf")],  # 黑体
    "kai": [  # 楷体
        f"{_WINDOWS}/simkai.ttf",
        *_fandol("FandolKai-Regular.otf"),
        "/usr/share/fonts/truetype/lxgw/LXGWWenKai-Regular.ttf",
        "/usr/share/fonts/truetype/arphic/ukai.ttc",
    ],
    "title": [  # 小标宋
        f"{_WINDOWS}/FZXBSJW.TTF",
        "/usr/share/fonts/truetype/founder/FZXBSJW.TTF",
        *_fandol("FandolSong-Bold.otf"),
    ],
}
SHIPPED: dict[str, Path] = {
    "body": SHIPPED_SERIF,
    "bold": SHIPPED_SERIF,
    "heading": SHIPPED_SANS,
    "kai": SHIPPED_SERIF,
    "title": SHIPPED_SERIF,
}
# Roles drawn bold: a file whose name says Bold is bold already, any other one is stroked.
BOLD_ROLES = frozenset({"bold", "title"})

CANDIDATES: dict[str, list[str]] = {role: [*SYSTEM[role], str(SHIPPED[role])] for role in SYSTEM}
# Every file that may stand in for a missing glyph, in order.
FALLBACKS = [
    str(SHIPPED_SERIF),
    str(SHIPPED_SANS),
    *_noto("NotoSerifCJK-Regular.ttc"),
    *_noto("NotoSansCJK-Regular.ttc"),
    *_OTHERS,
]


class FontMissing(Exception):
    """No font with Chinese glyphs was found; the message says how to install one."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # the face in a collection (.ttc): Simplified Chinese in Noto CJK
    fake_bold: bool = False  # drawn filled and stroked: the role is bold and the file is not


def _face(path: Path, role: str = "") -> FontFile:
    index = 2 if path.name.startswith("Noto") and path.suffix == ".ttc" else 0
    fake_bold = role in BOLD_ROLES and "bold" not in path.name.lower() and not path.name.startswith("FZXBS")
    return FontFile(path, index, fake_bold)


def find(role: str) -> FontFile:
    """The font of a role: XIANFENG_PDF_FONT, the real face if installed, else the one the project ships."""
    configured = getattr(settings, "POINTS_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + CANDIDATES[role]:
        if candidate and Path(candidate).is_file():
            return _face(Path(candidate), role)
    raise FontMissing(  # only if the repository's font files were removed
        "生成PDF需要中文字体，但未找到项目自带的字体文件（bulletins/fontfiles、points/fonts）。"
        "请重新检出项目，或设置环境变量 XIANFENG_PDF_FONT 指向一个 .ttf/.otf/.ttc 中文字体文件。"
    )


def fallbacks() -> list[FontFile]:
    seen: set[Path] = set()
    found = []
    for candidate in FALLBACKS:
        path = Path(candidate)
        if path.is_file() and path not in seen:
            seen.add(path)
            found.append(_face(path))
    return found
