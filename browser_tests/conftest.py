"""Browser tests: the real server (manage.py runserver) on a throwaway database, driven by headless Chromium.

The server runs in its own process against its own SQLite file (or a fresh PostgreSQL database when
DATABASE_URL is set), so nothing here shares state with the pytest-django test database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("XIANFENG_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "Xianfeng@2026"
SHOTS = Path(os.environ.get("XIANFENG_SCREENSHOTS", ROOT / "test-results" / "screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The test server's environment, for a test that runs a command against the same database (a task worker).
SERVER_ENV: dict[str, str] = {}


def run_tasks() -> None:
    """Run the queued tasks the way `manage.py db_worker` does, once, against the test server's database."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay"],
        env=SERVER_ENV,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def live_server_url() -> Iterator[str]:
    var_dir = tempfile.mkdtemp(prefix="xianfeng-browser-")
    env = {**os.environ, "XIANFENG_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)  # the browser run uses its own SQLite file
    # The tests log the same demo accounts in many times (the secretary 11 times in a few minutes); the
    # production limit (10 logins per name per 5 minutes, tested in accounts/tests/test_rate_limits.py)
    # would refuse the 11th with a 429 depending on how fast the run goes.
    env["XIANFENG_RATE_LOGIN"] = "1000/300"
    SERVER_ENV.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["generate_demo", "--scale", "tiny", "--seed", "7"],
        ["demo_logins"],
    ):
        subprocess.run(manage + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = int(os.environ.get("XIANFENG_BROWSER_PORT") or _free_port())  # a helper pins its own range
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the test server did not start") from None
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def axe_every_page(request: Any, live_server_url: str) -> Iterator[None]:
    """Every HTML page a browser test opened is checked with axe (WCAG 2.2 AA) at 390 px and 1366 px
    once the test is done; a violation fails the test. A test may opt out with @pytest.mark.no_axe."""
    if "page" not in request.fixturenames or request.node.get_closest_marker("no_axe"):
        yield
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []

    def opened(response: Any) -> None:
        req = response.request
        if (
            req.is_navigation_request()
            and req.method == "GET"
            and response.frame == page.main_frame
            and response.status == 200
            and response.url.startswith(live_server_url)
            and "text/html" in (response.headers.get("content-type") or "")
            and response.url not in seen
        ):
            seen.append(response.url)

    page.on("response", opened)
    yield
    page.remove_listener("response", opened)
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:  # the test's own failure says enough
        return
    from browser_tests.axe import check_pages

    problems = check_pages(page, seen)
    assert not problems, "axe (WCAG 2.2 AA):\n" + "\n".join(problems)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def shot(page: Any) -> Any:
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is truthy.

    ``page.wait_for_function`` evaluates its predicate with ``eval`` inside the page, which the
    site's CSP (script-src 'self', no 'unsafe-eval') rightly refuses; ``page.evaluate`` goes through
    the DevTools protocol, which CSP does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.1)


def login(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/verify/" in page.url:  # admin roles: the demo authenticator's code (demo_logins)
        from accounts.otp import totp
        from demo.management.commands.demo_logins import DEMO_TOTP_SECRET

        code = totp(DEMO_TOTP_SECRET)
        page.get_by_label("动态验证码").fill(code)
        page.get_by_role("button", name="验证并登录").click()
        if "/accounts/2fa/verify/" in page.url:  # that code was used by an earlier login: wait a step
            time.sleep(31 - time.time() % 30)
            page.get_by_label("动态验证码").fill(totp(DEMO_TOTP_SECRET))
            page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(base + "/")
