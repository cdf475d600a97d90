"""An observer on a phone: 我的支部, sign up for an upcoming meeting, fill in and submit the evaluation form.

The live server's database holds generate_demo --scale tiny and demo_logins; until observers.demo is wired
into generate_demo, the session fixture below runs `manage.py observers_demo --scale tiny` against the same
database (its XIANFENG_VAR_DIR is read from the running server's environment). The command is idempotent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser_tests.conftest import ROOT, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _server_var_dir(port: int) -> str:
    """XIANFENG_VAR_DIR of the runserver process listening on `port` (Linux /proc)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if b"runserver" not in cmdline or f"127.0.0.1:{port}".encode() not in cmdline:
                continue
            env = dict(
                item.split(b"=", 1) for item in (proc / "environ").read_bytes().split(b"\0") if b"=" in item
            )
        except OSError:
            continue
        if b"XIANFENG_VAR_DIR" in env:
            return env[b"XIANFENG_VAR_DIR"].decode()
    raise RuntimeError("could not find the live server's XIANFENG_VAR_DIR")


@pytest.fixture(scope="session")
def observers_demo(live_server_url: str) -> str:
    port = urlparse(live_server_url).port
    assert port is not None
    env = {
        **os.environ,
        "XIANFENG_VAR_DIR": _server_var_dir(port),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "observers_demo", "--scale", "tiny", "--seed", "7"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return live_server_url


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_observer_signs_up_and_submits_the_evaluation_form_on_a_phone(page, observers_demo, shot):
    base = observers_demo
    page.set_viewport_size(PHONE)
    login(page, base, "observer")

    page.goto(base + "/observers/observe/")
    assert page.locator("#my-branches .list-group-item").count() >= 1
    assert page.get_by_text("本半年").first.is_visible()
    assert no_horizontal_scroll(page)
    shot("observers-my-branches-phone")

    # Sign up for the first upcoming meeting not yet signed up for.
    page.goto(base + "/observers/observe/meetings/")
    assert no_horizontal_scroll(page)
    shot("observers-meetings-phone")
    form = page.locator("#meetings form").first
    form.locator("select[name=kind]").select_option("key")
    form.get_by_role("button", name="报名列席").click()
    page.wait_for_url("**/observers/observe/observations/*/")
    assert page.get_by_text("已报名列席").is_visible()

    # The meeting attended a few days ago whose form is still to be filled in.
    page.goto(base + "/observers/observe/observations/?state=signed_up")
    pending = page.locator(".list-group a", has_text="已报名")
    count = pending.count()
    for i in range(count):
        pending.nth(i).click()
        if page.locator("#evaluation-form").count():
            break
        page.go_back()
    form = page.locator("#evaluation-form")
    assert form.count() == 1
    assert no_horizontal_scroll(page)
    scores = form.locator("input[name^='score_']")
    for i in range(scores.count()):
        box = scores.nth(i)
        box.fill(str(int(box.get_attribute("max")) - 1))
    assert page.locator("#total-score").inner_text() == "94"
    form.locator("label", has_text="较好").click()
    page.get_by_label("发现的问题").fill("签到表与实到人数不一致")
    form.locator("label", has_text="现场提醒").click()
    page.get_by_label("处理情况 / 原因").fill("已现场提醒补齐签到")
    shot("observers-form-phone")
    form.get_by_role("button", name="提交评价表").click()
    page.wait_for_load_state()
    assert page.get_by_text("评价表已提交").is_visible()
    assert page.get_by_text("94").first.is_visible() and page.get_by_text("现场提醒").first.is_visible()
    assert no_horizontal_scroll(page)
    shot("observers-submitted-phone")
