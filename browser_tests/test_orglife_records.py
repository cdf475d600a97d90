"""Recording a meeting on a phone: the form, attendance toggles, a photo, submit, approve (headless Chromium)."""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from browser_tests.conftest import login, run_tasks, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def meeting_photo() -> bytes:
    rnd = random.Random(2026)
    small = Image.frombytes("RGB", (8, 6), bytes(rnd.randrange(256) for _ in range(8 * 6 * 3)))
    out = io.BytesIO()
    small.resize((1200, 900), Image.Resampling.BILINEAR).save(out, "JPEG", quality=85)
    return out.getvalue()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_secretary_records_a_lecture_with_a_photo_on_a_phone(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    assert no_horizontal_scroll(page)

    # Choosing 党课 reloads the type-dependent part of the form (htmx) and asks for the lecturer.
    page.get_by_label("会议类型").select_option("lecture")
    page.get_by_label("党课主讲人").wait_for()
    yesterday = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    page.get_by_label("主题").fill("学习党章 做合格党员")
    page.get_by_label("日期").fill(yesterday.isoformat())
    page.get_by_label("开始时间").fill("09:00")
    page.get_by_label("结束时间").fill("10:30")
    page.get_by_label("地点").fill("支部党员活动室")
    page.get_by_label("党课主讲人").fill("书记")
    page.get_by_label("主持人").fill("书记")
    page.get_by_label("记录人").fill("组织委员")

    toggles = page.locator("#attendance input.btn-check[value='present']")
    due = toggles.count()
    assert due >= 2
    page.get_by_role("button", name="全部出席").click()
    assert page.locator("#attendance input.btn-check[value='present']:checked").count() == due
    # One member was away: the reason box opens under the name.
    page.locator("#attendance label", has_text="缺席").last.click()
    reason = page.locator("#attendance .xf-reason input").last
    reason.wait_for(state="visible")
    reason.fill("外出务工，已请假")
    page.get_by_label("会议内容").fill("书记讲授专题党课，党员交流学习体会。")
    page.get_by_label("会议照片").set_input_files(
        files=[{"name": "meeting.jpg", "mimeType": "image/jpeg", "buffer": meeting_photo()}]
    )
    assert no_horizontal_scroll(page)
    shot("phone-record-form")

    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_url("**/orglife/records/*/")
    body = page.locator("body").inner_text()
    assert "待书记审核" in body and "计划外" in body and f"{due - 1}" in body
    img = page.locator(".xf-thumbs img").first
    img.wait_for()
    wait_until(page, "document.querySelector('.xf-thumbs img').naturalWidth > 0")
    assert no_horizontal_scroll(page)
    # The reuse check runs in the upload task: until the worker has run, the record says so.
    assert page.get_by_role("status").filter(has_text="照片查重中").is_visible()
    shot("phone-record-submitted")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot("desktop-record-photos-pending")
    page.set_viewport_size(PHONE)
    run_tasks()
    page.reload()
    body = page.locator("body").inner_text()
    assert "照片查重中" not in body and "照片查重完成，未发现重复" in body
    shot("phone-record-photos-checked")

    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url("**/orglife/records/*/")
    assert "已审核" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="更正").is_visible()
    shot("phone-record-approved")


def test_the_record_list_on_a_desktop(page, live_server_url, shot):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/")
    assert page.get_by_role("heading", name="组织生活纪实").is_visible()
    shot("desktop-record-list")
    records = page.locator(".list-group-item-action")
    if records.count():
        records.first.click()
        page.wait_for_url("**/orglife/records/*/")
        assert page.get_by_role("heading", name="出席情况").is_visible()
        shot("desktop-record-detail")
