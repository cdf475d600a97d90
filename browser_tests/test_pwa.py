"""The installable app in headless Chromium: the service worker takes control and, with the network gone,
a page shows the offline page while the shell's styles still load from the worker's cache."""

from __future__ import annotations

import pytest

from browser_tests.conftest import login, wait_until

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
