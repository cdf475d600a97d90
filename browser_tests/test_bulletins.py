"""信息报送 end to end in headless Chromium: a 信息员 writes an article on a phone (390 px), adds a photo taken
with the phone (a real JPEG carrying GPS EXIF, which the upload strips) and submits it; the editor adopts it,
places it in the issue being composed on a desktop (1366 px) and publishes the issue (第 N 期, locked, its
PDF carries the photo); axe at both widths."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from browser_tests.axe import check_pages
from browser_tests.conftest import SHOTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 800}
TITLE = "县直机关工委：建立“组织生活观察员”制度"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def phone_photo(path) -> None:
    """A 1200 × 900 JPEG as a phone writes it: EXIF with a GPS position and the camera's make."""
    picture = Image.new("RGB", (1200, 900), (180, 40, 40))
    for x in range(0, 1200, 60):
        picture.paste((240, 220, 200), (x, 300, x + 30, 600))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 31.0, 12.0), 3: "E", 4: (117.0, 2.0, 30.0)}  # GPSInfo
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, exif=exif)
    path.write_bytes(out.getvalue())


def test_an_officer_submits_from_a_phone_and_the_editor_adopts_it_into_an_issue(
    page, browser, live_server_url, shot, tmp_path
):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "info_officer")
    page.goto(live_server_url + "/bulletins/articles/new/")
    assert no_horizontal_scroll(page)
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("署名单位").fill("县直机关工委")
    page.get_by_label("正文").fill(
        "今年以来，县直机关工委建立组织生活观察员制度，随机列席支部组织生活会。\n"
        "全年共列席 36 次，发现并督促整改问题 52 个。"
    )
    shot("bulletins-submit-phone")
    # saved as a draft first: the photo goes onto the saved article, then it is submitted
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/bulletins/articles/*/")
    assert "草稿" in page.locator("main").inner_text()
    photo = tmp_path / "IMG_20260601_093015.jpg"
    phone_photo(photo)
    assert Image.open(photo).getexif().get_ifd(0x8825)  # the file sent does carry a position
    page.get_by_label("选择图片（JPG、PNG、WebP）").set_input_files(str(photo))
    page.get_by_label("图片说明").fill("观察员列席支部组织生活会")
    page.get_by_role("button", name="上传图片").click()
    page.wait_for_load_state()
    figure = page.locator("main figure").filter(has_text="观察员列席支部组织生活会")
    img = figure.locator("img")
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1200, 900]
    served = page.request.get(img.evaluate("i => i.src"))
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(served.body()))
    assert stored.format == "JPEG" and not stored.getexif()  # no EXIF, so no GPS and no camera make
    assert no_horizontal_scroll(page)
    shot("bulletins-photo-phone")
    page.get_by_role("button", name="报送", exact=True).click()
    page.wait_for_load_state()
    assert "已报送" in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    shot("bulletins-submitted-phone")

    editor = browser.new_context(viewport=DESKTOP).new_page()
    login(editor, live_server_url, "editor")
    editor.goto(live_server_url + "/bulletins/inbox/")
    editor.locator("tr", has_text=TITLE).first.get_by_role("link", name="查看").click()
    editor.wait_for_url("**/bulletins/articles/*/")
    article_url = editor.url
    editor.get_by_label("采用方式").select_option("full")
    editor.get_by_role("button", name="采用").click()
    editor.wait_for_load_state()
    assert "已采用" in editor.locator("main").inner_text()

    editor.goto(live_server_url + "/bulletins/issues/")
    editor.locator("tr", has_text="编辑中").first.get_by_role("link", name="查看").click()
    editor.wait_for_url("**/bulletins/issues/*/")
    issue_url = editor.url
    editor.locator("form", has_text=TITLE).get_by_role("button", name="编入").click()
    editor.wait_for_load_state()
    listed = editor.locator("main").inner_text()
    assert TITLE in listed
    editor.screenshot(path=str(SHOTS / "bulletins-issue-desktop.png"), full_page=True)

    # publishing gives the number and locks the issue; its PDF holds the article and the photo
    editor.get_by_role("button", name="印发").click()
    editor.wait_for_load_state()
    published = editor.locator("main").inner_text()
    assert "已印发" in published and "内容已锁定" in published
    assert editor.get_by_role("button", name="印发").count() == 0
    assert editor.get_by_role("button", name="移出").count() == 0
    heading = editor.locator("h1").inner_text()
    assert "第" in heading and "期" in heading, heading
    pdf = editor.request.get(issue_url + "issue.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    from bulletins.tests.pdf_reading import read

    text = "".join(p.text for p in read(pdf.body()))
    assert "观察员" in text and "观察员列席支部组织生活会" in text  # the caption under the photo
    assert b"/Subtype /Image" in pdf.body()

    # the officer sees it adopted; the archive finds it by a word inside the title
    page.reload()
    seen = page.locator("main").inner_text()
    assert "全文采用" in seen and "已编入" in seen  # the officer sees it adopted and placed
    page.goto(live_server_url + "/bulletins/issues/?q=观察员")
    assert no_horizontal_scroll(page)
    # each issue is a card on the phone: nothing scrolls sideways inside the list either, and every
    # value carries its column's name
    assert page.evaluate(
        "(() => { const box = document.querySelector('main .table-responsive');"
        " return box.scrollWidth <= box.clientWidth; })()"
    )
    card = page.get_by_role("row").filter(has_text=TITLE).first
    assert (
        card.get_by_role("cell").first.evaluate("c => getComputedStyle(c, '::before').content") == '"刊物："'
    )
    assert card.get_by_role("link", name="PDF").is_visible()
    shot("bulletins-archive-phone")

    pages = [
        live_server_url + "/bulletins/inbox/",
        article_url,
        issue_url,
        live_server_url + "/bulletins/issues/",
    ]
    problems = check_pages(editor, pages)  # the editor's pages are outside the `page` fixture's check
    assert not problems, "axe (WCAG 2.2 AA):\n" + "\n".join(problems)
