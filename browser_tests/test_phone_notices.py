"""The in-site messages on a phone: a reminder filed for the branch secretary shows on their home and in the
message list, unread until they mark it read (SMS stays the push channel; this is the copy they cannot miss)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from browser_tests.conftest import ROOT, SERVER_ENV, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FILE_NOTICE = """
from accounts.models import User
from notifications import services
user = User.objects.get(username="secretary")
services.enqueue_message(channel="site", dedupe_key="browser-notice-1", recipient=user, title="组织生活提醒",
                         body="您支部本月尚未召开支部委员会")
"""


def test_a_reminder_shows_on_the_home_and_in_the_list_until_read(page, live_server_url, shot):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", FILE_NOTICE],
        env=SERVER_ENV,
        cwd=ROOT,
        check=True,
    )
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.get_by_text("您支部本月尚未召开支部委员会").wait_for()  # the home's side panel loads after the page
    assert "您支部本月尚未召开支部委员会" in page.locator("body").inner_text()
    shot("home-secretary-phone")
    page.get_by_role("link", name="全部消息").click()
    page.wait_for_url("**/notifications/")
    item = page.get_by_text("您支部本月尚未召开支部委员会")
    assert item.is_visible()
    page.get_by_role("button", name="标为已读").first.click()
    page.wait_for_load_state()
    page.goto(live_server_url + "/")
    page.get_by_text("没有未读消息").wait_for()
    assert "您支部本月尚未召开支部委员会" not in page.locator("body").inner_text()
    assert "没有未读消息" in page.locator("body").inner_text()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    page.get_by_text("没有未读消息").wait_for()
    shot("home-secretary-desktop")
