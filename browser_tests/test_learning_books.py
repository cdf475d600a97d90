"""一人一册 in a browser: the committee issues study materials (desktop), a member writes their notes on a
phone, the committee spot-checks them, and the member's 一人一档 shows the result with the year's 学时."""

from __future__ import annotations

import pytest

from browser_tests.conftest import SHOTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_issue_write_notes_on_a_phone_check_and_see_it_on_the_member_file(
    page, browser, live_server_url, shot
):
    page.set_viewport_size(DESKTOP)
    login(page, live_server_url, "admin_committee")
    page.goto(live_server_url + "/learning/books/")
    # The demo's county-wide book may be listed here; the committee issues its own.
    assert page.get_by_role("link", name="发放学习资料").is_visible()
    page.get_by_role("link", name="发放学习资料").click()
    page.get_by_label("学习资料").fill("《习近平新时代中国特色社会主义思想学习纲要》")
    page.get_by_label("学习要求").fill("每周学习一章，写学习笔记")
    page.get_by_role("button", name="发放").click()
    page.wait_for_url("**/learning/books/*/")
    assert page.get_by_text("个人学习记录", exact=True).is_visible()
    shot("learning-book-desktop")
    book_url = page.url

    member = browser.new_context(viewport=PHONE).new_page()
    login(member, live_server_url, "member")
    member.goto(live_server_url + "/learning/books/")
    assert no_horizontal_scroll(member)
    member.get_by_role("link", name="《习近平新时代中国特色社会主义思想学习纲要》").click()
    member.get_by_label("学习笔记").fill("第一章：新时代坚持和发展中国特色社会主义。体会：……")
    member.get_by_role("button", name="保存").click()
    member.get_by_text("学习笔记已保存").wait_for()
    assert no_horizontal_scroll(member)
    member.screenshot(path=str(SHOTS / "learning-record-phone.png"), full_page=True)
    record_url = member.url

    page.goto(record_url)
    assert "新时代坚持和发展" in page.content()
    page.get_by_label("抽查结果").select_option("excellent")
    page.get_by_label("意见（不合格须填写）").fill("笔记认真")
    page.get_by_role("button", name="登记抽查结果").click()
    page.get_by_text("的抽查结果").wait_for()
    page.goto(book_url)
    assert "优秀" in page.content()

    member.goto(live_server_url + "/learning/")  # 我的学时: /learning/members/<own id>/
    member.wait_for_url("**/learning/members/*/")
    file_url = member.url.replace("/learning/members/", "/points/members/").split("?")[0]
    member.goto(file_url)
    content = member.content()
    assert "一人一册" in content and "优秀" in content and "学时" in content and "党员教育片观看" in content
    assert no_horizontal_scroll(member)
    member.screenshot(path=str(SHOTS / "learning-member-file-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.goto(file_url)
    assert "一人一册" in page.content()
    shot("learning-member-file-desktop")
