"""The reused-photo pair side by side: the committee's list, both photos loaded, the score (headless Chromium)."""

from __future__ import annotations

import pytest

from browser_tests.conftest import login, wait_until

pytestmark = pytest.mark.browser


def test_the_patrol_sees_a_reused_pair_side_by_side(page, live_server_url, shot):
    login(page, live_server_url, "admin_dept")
    page.goto(live_server_url + "/orglife/photos/")
    pair = page.locator(".list-group-item a").first
    pair.wait_for()
    assert "复用" in page.locator(".list-group-item").first.inner_text()
    pair.click()
    page.wait_for_url("**/orglife/records/*/photos/")
    section = page.locator("section.xf-pair[data-kind='reuse']").first
    section.wait_for()
    assert "相似度" in section.locator(".xf-score").inner_text()
    images = section.locator("img")
    assert images.count() == 2
    wait_until(
        page,
        "Array.from(document.querySelectorAll('section.xf-pair img')).slice(0, 2)"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    boxes = [images.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and abs(boxes[0]["y"] - boxes[1]["y"]) < 5  # side by side, one row
    shot("orglife-photo-pair")
