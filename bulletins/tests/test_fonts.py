"""The bulletin PDF needs no system font: every role falls back to the fonts the repository ships, the
real 仿宋/黑体/楷体/小标宋 faces are taken where a machine has them, and 10,000 real-style names and the
whole demo leave no glyph missing (text read back with pypdf)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from pypdf import PdfReader

from bulletins import defaults, fonts
from bulletins.demo import generate_bulletins_demo
from bulletins.document import DocArticle, DocSection, IssueDocument, issue_document
from bulletins.models import Issue
from bulletins.pdf import _all_text, _Bulletin, render_pdf
from bulletins.services.richtext import blocks, clean_html
from bulletins.tests.pdf_reading import clean, read

REPO = Path(__file__).resolve().parents[2]
# Given-name characters outside GB 2312 seen in real names (the issue's 瑢 among them).
RARE = (
    "瑢喆堃昇玥珺赟彧翀旻晔暐燊镕垚昉淏琤瑄璟珣祎禛琍玙璘珩琇祐婳嬿妘姮婠弢鹍龑㛃䶮湉沄洺浛溦骉皛瑨玚旸曌曈暻"
)


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """A machine with no CJK font but the project's own: every candidate outside the repository is gone."""
    settings.POINTS_PDF_FONT = ""
    shipped = [str(fonts.SHIPPED_SERIF), str(fonts.SHIPPED_SANS)]
    monkeypatch.setattr(fonts, "CANDIDATES", {role: [str(fonts.SHIPPED[role])] for role in fonts.SYSTEM})
    monkeypatch.setattr(fonts, "FALLBACKS", shipped)


def names(count: int = 10_000) -> list[str]:
    """Faker's zh_CN names, one in five with a rare character in the given name."""
    fake = Faker("zh_CN")
    fake.seed_instance(9704)
    rng = random.Random(9704)
    out = []
    for i in range(count):
        name = fake.last_name() + fake.first_name()
        if i % 5 == 0:
            name = name[:-1] + rng.choice(RARE)
        out.append(name)
    return out


def _document(text_blocks: list[str], title: str = "名单") -> IssueDocument:
    article = DocArticle(title, "县直机关工委", blocks(clean_html("".join(text_blocks))), 1)
    return IssueDocument(
        journal="示范组工信息",
        office=defaults.JOURNAL_OFFICE,
        year=2026,
        number=1,
        date=dt.date(2026, 3, 2),
        leader_box=False,
        sections=[DocSection("市内信息", [article])],
        **defaults.DISTRIBUTION,
    )


def test_every_role_uses_a_shipped_font_when_the_machine_has_none(no_system_fonts: None) -> None:
    for role in fonts.SYSTEM:
        face = fonts.find(role)
        assert face.path.is_relative_to(REPO), role
        assert face.path.is_file()
    assert fonts.find("body").path == fonts.SHIPPED_SERIF  # 仿宋's stand-in: the serif
    assert fonts.find("heading").path == fonts.SHIPPED_SANS  # 黑体's: the sans
    assert fonts.find("title").fake_bold and fonts.find("bold").fake_bold  # 小标宋: the serif drawn bold
    assert not fonts.find("body").fake_bold and not fonts.find("kai").fake_bold
    # the shipped files are small cuts with their licence beside them
    for path in (fonts.SHIPPED_SERIF, fonts.SHIPPED_SANS):
        assert path.stat().st_size < 3_200_000
        assert (path.parent / "LICENSE-OFL.txt").is_file()


def test_the_real_faces_come_first_where_installed(
    no_system_fonts: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    fang = tmp_path / "FandolFang-Regular.otf"
    song_bold = tmp_path / "FandolSong-Bold.otf"
    for path in (fang, song_bold):
        shutil.copy(fonts.SHIPPED_SERIF, path)  # a stand-in file at the path a Fandol install has
    chains = {role: [str(fonts.SHIPPED[role])] for role in fonts.SYSTEM}
    chains["body"].insert(0, str(fang))
    chains["title"].insert(0, str(song_bold))
    monkeypatch.setattr(fonts, "CANDIDATES", chains)
    assert fonts.find("body").path == fang
    assert fonts.find("title") == fonts.FontFile(song_bold, 0, fake_bold=False)  # a bold file: not stroked
    assert fonts.find("heading").path == fonts.SHIPPED_SANS
    settings.POINTS_PDF_FONT = str(fonts.SHIPPED_SANS)  # XIANFENG_PDF_FONT: first choice of every role
    assert {fonts.find(role).path for role in fonts.SYSTEM} == {fonts.SHIPPED_SANS}


def test_the_system_chains_name_the_gb_t_9704_faces() -> None:
    assert any("simfang" in c or "FandolFang" in c for c in fonts.SYSTEM["body"])  # 仿宋
    assert any("simhei" in c or "FandolHei" in c for c in fonts.SYSTEM["heading"])  # 黑体
    assert any("simkai" in c or "FandolKai" in c for c in fonts.SYSTEM["kai"])  # 楷体
    assert any("FZXBS" in c for c in fonts.SYSTEM["title"])  # 小标宋
    assert all(fonts.CANDIDATES[role][-1] == str(fonts.SHIPPED[role]) for role in fonts.SYSTEM)


def test_ten_thousand_names_and_the_whole_demo_miss_no_glyph(no_system_fonts: None, cast: Any) -> None:
    generate_bulletins_demo(seed=1, scale="tiny")
    text = "".join(names())
    for issue in Issue.objects.all():
        text += _all_text(issue_document(issue))
    assert set(RARE) <= set(text)
    doc = _Bulletin()
    doc.cover(text)
    assert "".join(sorted(doc.missing)) == ""


def test_rare_names_are_drawn_and_read_back_without_system_fonts(no_system_fonts: None) -> None:
    sample = names(400)
    paragraphs = ["<p>" + "、".join(sample[i : i + 40]) + "。</p>" for i in range(0, len(sample), 40)]
    # rare characters in the 黑体 (sans) roles too: the title and an h2 draw them from the serif
    parts = ["<h2>一、喆堃名单</h2>", "<h3>（一）第一组</h3>", *paragraphs]
    data, layout = render_pdf(_document(parts, title="王瑢同志：名单"))
    assert layout.missing == ""
    text = re.sub(r"—\d+—", "", "".join(page.text for page in read(data)))  # a name may run over a page
    for name in sample:
        assert name in text, name
    assert "一、喆堃名单" in text and "（一）第一组" in text and clean("△王瑢同志：名单") in text
    reader = PdfReader(io.BytesIO(data))
    embedded = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()
    }
    assert embedded == {"NotoSerifCJKSC", "NotoSansCJKSC"}  # the two shipped cuts, nothing else


def test_a_character_no_font_has_is_reported(no_system_fonts: None) -> None:
    _, layout = render_pdf(_document(["<p>姓名：王\U0002a6a5。</p>"]))  # CJK Extension B
    assert layout.missing == "\U0002a6a5"


def test_fonts_are_parsed_once_per_process_and_each_pdf_keeps_its_own_subset(no_system_fonts: None) -> None:
    """The second PDF reuses the parsed fonts and reads back its own text, the rare characters included."""
    from bulletins import pdf

    pdf._parsed.cache_clear()
    first, _ = render_pdf(_document(["<p>王瑢同志参加组织生活。</p>"], title="第一份"))
    parsed = pdf._parsed.cache_info().misses
    second, layout = render_pdf(_document(["<p>喆堃同志讲党课。</p>"], title="第二份"))
    assert pdf._parsed.cache_info().misses == parsed and pdf._parsed.cache_info().hits >= parsed
    assert layout.missing == ""
    text = "".join(page.text for page in read(second))
    assert clean("喆堃同志讲党课。") in text and "瑢" not in text
    assert clean("王瑢同志参加组织生活。") in "".join(page.text for page in read(first))
