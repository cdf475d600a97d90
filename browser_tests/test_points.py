"""A member declares learning points on a phone; the scorekeeper approves it (headless Chromium)."""

from __future__ import annotations

import pytest

from browser_tests.axe import check_pages
from browser_tests.conftest import SHOTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_member_declares_on_a_phone_and_the_scorekeeper_approves(page, browser, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    page.goto(live_server_url + "/points/")
    assert no_horizontal_scroll(page)
    shot("points-member-home-phone")
    page.get_by_role("link", name="我要申报").first.click()
    page.wait_for_url("**/points/declare/")
    page.get_by_label("积分项目").select_option("journal_article")
    page.get_by_label("情况说明").fill("在《安庆组工信息》发表《以学促干的几点体会》")
    page.get_by_label("关联记录/链接").fill("安庆组工信息第35期")
    assert no_horizontal_scroll(page)
    shot("points-declare-phone")
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_url("**/points/declarations/")
    assert page.get_by_text("已提交申报").is_visible()
    row = page.locator("tr", has_text="在重要刊物发表相关文章").first
    assert "待计分员审核" in row.inner_text()
    shot("points-declared-phone")

    keeper = browser.new_context(viewport=PHONE).new_page()
    login(keeper, live_server_url, "scorekeeper")
    keeper.goto(live_server_url + "/points/declarations/")
    keeper.locator("tr", has_text="在重要刊物发表相关文章").first.get_by_role("link", name="查看").click()
    keeper.wait_for_url("**/points/declarations/*/")
    assert "以学促干的几点体会" in keeper.content()
    keeper.get_by_role("button", name="审核通过并记录").click()
    keeper.get_by_text("已审核并记录").wait_for()
    assert keeper.get_by_text("已记录，待支部审定").first.is_visible()
    keeper.screenshot(path=str(SHOTS / "points-scorekeeper-approved.png"), full_page=True)

    page.reload()
    assert "已记录，待支部审定" in page.locator("tr", has_text="在重要刊物发表相关文章").first.inner_text()
    # The scorekeeper's pages are outside the `page` fixture's axe check: checked here.
    problems = check_pages(keeper, [live_server_url + "/points/declarations/", keeper.url])
    assert not problems, "axe (WCAG 2.2 AA):\n" + "\n".join(problems)


def test_a_member_withdraws_a_declaration_and_the_weekly_chart_draws_on_a_phone(
    page, browser, live_server_url
):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    page.goto(live_server_url + "/points/declare/")
    page.get_by_label("积分项目").select_option("journal_article")
    page.get_by_label("情况说明").fill("撤回测试：文章尚未刊发")
    page.get_by_label("关联记录/链接").fill("待刊发")
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_url("**/points/declarations/")
    page.locator("tr", has_text="在重要刊物发表相关文章").first.get_by_role("link", name="查看").click()
    page.wait_for_url("**/points/declarations/*/")
    page.once("dialog", lambda dialog: dialog.accept())  # data-xf-confirm asks first
    page.get_by_role("button", name="撤回申报").click()
    page.get_by_text("已撤回申报").wait_for()
    assert page.get_by_text("已撤回").first.is_visible()
    page.screenshot(path=str(SHOTS / "points-withdrawn-phone.png"), full_page=True)

    admin = browser.new_context(viewport=PHONE).new_page()
    login(admin, live_server_url, "admin_dept")
    admin.goto(live_server_url + "/points/weekly/")
    admin.locator("#chart-weekly canvas").wait_for()
    assert no_horizontal_scroll(admin)
    admin.screenshot(path=str(SHOTS / "points-weekly-chart-phone.png"), full_page=True)
    problems = check_pages(admin, [live_server_url + "/points/weekly/"])  # outside the fixture's check
    assert not problems, "axe (WCAG 2.2 AA):\n" + "\n".join(problems)
