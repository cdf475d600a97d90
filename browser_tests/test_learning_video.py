"""A member watches a 必看 film on a phone: the demo's generated film (transcoded to H.264 MP4 by PyAV) plays,
the signed heartbeats credit it on the server, a reload resumes where it stopped, and it completes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from browser_tests.conftest import ROOT, SERVER_ENV, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = "《榜样9》专题节目（节选）"


def forget_watching() -> None:
    """The demo may already count the member as done: start from nothing."""
    code = (
        "from learning.models import WatchProgress; from accounts.models import User;"
        f"WatchProgress.objects.filter(member=User.objects.get(username='member').member, video__title='{TITLE}')"
        ".delete()"
    )
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=SERVER_ENV, check=True)


def play(page, rate: float = 1.0) -> None:
    page.evaluate(
        f"(() => {{ const v = document.getElementById('xf-video'); v.muted = true; v.playbackRate = {rate}; return v.play(); }})()"
    )


def wait_until(page, expression: str, timeout: float) -> None:
    """Poll with page.evaluate (the site's CSP forbids the eval behind wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(250)


def test_a_member_watches_a_required_film_on_a_phone_until_complete(page, live_server_url, shot):
    forget_watching()
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    page.goto(live_server_url + "/learning/videos/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/learning/videos/*/")
    status = page.locator("#xf-watch-status")
    play(page)
    wait_until(page, "document.getElementById('xf-video').currentTime > 7", 20)
    wait_until(page, "/已认定观看 [1-9]/.test(document.getElementById('xf-watch-status').textContent)", 10)
    shot("learning-video-watching-phone")
    page.evaluate("document.getElementById('xf-video').pause()")
    page.wait_for_timeout(3500)  # the last heartbeat
    page.reload()
    assert "已认定观看" in status.text_content()
    play(page, 2.0)  # resumes from the credited position, at the fastest speed that still counts
    page.wait_for_timeout(1500)
    # From 0 at 2x it would be at about 3 s; resumed, it is past where it paused (> 7 s).
    assert page.evaluate("document.getElementById('xf-video').currentTime") > 6
    wait_until(page, "document.getElementById('xf-watch-status').textContent.includes('已完成观看')", 60)
    shot("learning-video-complete-phone")
    page.goto(live_server_url + "/learning/videos/")
    assert page.locator("li", has_text=TITLE).get_by_text("已完成").is_visible()
