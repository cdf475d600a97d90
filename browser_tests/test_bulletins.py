"""信息报送 end to end in headless Chromium: a 信息员 submits an article from a phone (390 px), the editor
adopts it and places it in the issue being composed on a desktop (1366 px); axe at both widths."""

from __future__ import annotations

import pytest

from browser_tests.axe import check_pages
from browser_tests.conftest import SHOTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 800}
TITLE = "县直机关工委：建立“组织生活观察员”制度"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_submits_from_a_phone_and_the_editor_adopts_it_into_an_issue(
    page, browser, live_server_url, shot
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
    page.get_by_role("button", name="报送", exact=True).click()
    page.wait_for_url("**/bulletins/articles/*/")
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
