"""The installable app in headless Chromium: the service worker takes control and, with the network gone,
a page shows the offline page while the shell's styles still load from the worker's cache."""

from __future__ import annotations

import time

import pytest

from browser_tests.conftest import ROOT, login, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_offline_a_page_falls_back_to_the_offline_page(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the next load is the worker's
    wait_until(page, "!!navigator.serviceWorker.controller")
    assert page.evaluate("caches.keys().then(k => k.some(n => n.startsWith('xianfeng-shell-')))")
    page.context.set_offline(True)
    try:
        page.goto(live_server_url + "/points/")
        assert page.get_by_role("heading", name="网络未连接").is_visible()
        # The stylesheet came from the worker's cache: Bootstrap's button styles apply.
        assert page.evaluate("getComputedStyle(document.querySelector('.btn-primary')).backgroundColor") != (
            "rgba(0, 0, 0, 0)"
        )
        shot("pwa-offline-phone")
    finally:
        page.context.set_offline(False)
    page.goto(live_server_url + "/points/")
    assert page.get_by_role("heading", name="网络未连接").count() == 0


SHELL_CSS = ROOT / "static" / "css" / "xianfeng.css"


def shell_caches(page) -> list[str]:
    return page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('xianfeng-shell-')))")


def test_a_deploy_is_picked_up_by_the_worker_on_the_next_load(page, live_server_url):
    """A deploy replaces a static file while the server keeps running: the next load installs a new worker
    whose cache holds the new file (fetched past the browser's HTTP cache, which still has the old one
    under the same address), and the old version's cache is gone."""
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "!!navigator.serviceWorker.controller")
    [before] = shell_caches(page)
    original = SHELL_CSS.read_bytes()
    marker = f"deployed-{time.time_ns()}"
    try:
        SHELL_CSS.write_bytes(original + f"\n/* {marker} */\n".encode())
        page.reload()  # the browser checks /sw.js on a navigation and finds new bytes
        wait_until(
            page, f"caches.keys().then(k => k.some(n => n.startsWith('xianfeng-shell-') && n !== '{before}'))"
        )
        wait_until(page, f"caches.has('{before}').then(h => !h)")
        [after] = shell_caches(page)
        css = page.evaluate(
            f"caches.open('{after}').then(c => c.match('/static/css/xianfeng.css')).then(r => r.text())"
        )
        assert marker in css
        # The page loaded after the update gets the new stylesheet from the new worker.
        page.reload()
        wait_until(page, "!!navigator.serviceWorker.controller")
        served = page.evaluate("fetch('/static/css/xianfeng.css').then(r => r.text())")
        assert marker in served
    finally:
        SHELL_CSS.write_bytes(original)
