"""End to end in headless Chromium: log in, browse the tree, search, import with an error, on desktop and phone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from browser_tests.axe import check_pages
from browser_tests.conftest import login, wait_until
from orgs.services import roster
from personal import idcard

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_dashboard_tree_and_search_on_a_desktop(page, live_server_url, shot):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server_url, "admin_dept")
    assert page.get_by_role("heading", name="工作台").is_visible()
    wait_until(page, "document.querySelectorAll('canvas').length >= 1")
    shot("desktop-dashboard")

    page.locator("#xf-menu a[href='/members/']").click()
    tree = page.locator("#org-tree")
    tree.locator(".xf-tree-node").first.wait_for()
    # Open the first closed node (its children arrive by htmx), then choose one of them.
    closed = tree.locator("button.xf-caret[aria-expanded='false']").first
    closed.click()
    child = tree.locator(
        ".xf-tree-kids:not([hidden]) .xf-tree-node a, .xf-tree-kids:not([hidden]) .xf-tree-leaf a"
    ).last
    child.wait_for()
    chosen = child.inner_text()
    child.click()
    page.wait_for_url("**/members/?org=*")
    assert chosen in page.locator("#org-tree a.active").inner_text()
    first_name = page.locator("table tbody tr td").first.inner_text().strip()
    shot("desktop-member-list")

    page.get_by_label("姓名/身份证号/手机号").fill(first_name)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**q=*")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    assert all(first_name in rows.nth(i).inner_text() for i in range(rows.count()))
    rows.first.locator("a").first.click()
    page.wait_for_url("**/members/*/")
    assert "*" in page.locator("body").inner_text()  # ID and phone are masked

    # An ID number typed into the search goes by POST and comes back as a keyed hash, never in the URL.
    number = idcard.make("340826", dt.date(1970, 1, 1), 5)
    page.goto(live_server_url + "/members/")
    page.get_by_label("姓名/身份证号/手机号").fill(number)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**qk=*")
    assert number not in page.url
    assert "已按身份证号/手机号精确查询" in page.locator("body").inner_text()


def _roster_with_one_bad_row(org_code: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    headers = [c.header for c in roster.COLUMNS]
    ws.append(headers)
    good = idcard.make("340826", dt.date(1991, 4, 5), 901)
    bad = idcard.make("340826", dt.date(1992, 6, 7), 902)[:-1] + "0"
    if bad == idcard.make("340826", dt.date(1992, 6, 7), 902):
        bad = bad[:-1] + "1"
    for name, number in (("浏览器测试甲", good), ("浏览器测试乙", bad)):
        row = {
            "姓名": name,
            "公民身份号码": number,
            "人员类别": "正式党员",
            "入党日期": "2015-07-01",
            "转正日期": "2016-07-01",
            "所在党组织代码": org_code,
            "党籍状态": "正常",
        }
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_import_with_a_bad_row_shows_the_report_and_imports_nothing(page, live_server_url, shot):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server_url, "admin_dept")
    branches = page.request.get(live_server_url + "/api/v1/organizations/?kind=branch").json()["results"]
    content = _roster_with_one_bad_row(branches[0]["code"])

    page.goto(live_server_url + "/members/import/")
    page.locator("input[type=file]").set_input_files(
        {
            "name": "名册.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content,
        }
    )
    page.get_by_role("button", name="上传并导入").click()
    report = page.locator("table", has_text="行号")
    report.wait_for()
    assert "校验位" in report.inner_text()
    assert "3" in report.locator("tbody tr").first.inner_text()  # the bad row is Excel row 3
    shot("desktop-import-report")

    page.goto(live_server_url + "/members/?q=浏览器测试甲")
    assert "没有符合条件的党员" in page.locator("body").inner_text()  # all or nothing


def test_a_secretary_finds_a_member_on_a_phone(browser, live_server_url):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server_url, "secretary")
    page.screenshot(path="test-results/screenshots/phone-dashboard.png", full_page=True)
    page.get_by_label("菜单").click()
    page.locator("#xf-menu a[href='/members/']").click()
    page.wait_for_url("**/members/")
    name = page.locator("table tbody tr td a").first.inner_text().strip()  # the name (its branch is under it)
    page.get_by_label("姓名", exact=True).fill(name)  # a secretary may not search by full numbers
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**q=*")
    assert name in page.locator("table tbody").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path="test-results/screenshots/phone-member-list.png", full_page=True)
    # This test opens its own phone context, outside the `page` fixture's axe check: check its pages here.
    problems = check_pages(page, [live_server_url + "/", live_server_url + "/members/", page.url])
    assert not problems, "axe (WCAG 2.2 AA):\n" + "\n".join(problems)
    context.close()
