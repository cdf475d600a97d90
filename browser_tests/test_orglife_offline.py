"""Recording a meeting with no network, on a 390 px phone (headless Chromium): the network is cut with the
DevTools protocol (Network.emulateNetworkConditions), the form is filled with two photos, the page is
reloaded from the service worker with the draft put back, and when the network returns the outbox stores
the record exactly once, photos made small on the device. The same key sent again is one record, and a
plan item recorded meanwhile is a conflict the secretary reads in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from PIL import Image

from browser_tests.conftest import login, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
API = "/api/v1/orglife/records/"


def jpeg(size: tuple[int, int], colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=80)
    return out.getvalue()


class Network:
    """Offline and online through the DevTools protocol, for the page and for its service worker
    (Playwright's own switch reaches the worker's fetches too)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")

    def set(self, offline: bool) -> None:
        # Coming back, the worker's switch goes first: the page's `online` event (fired by the protocol
        # call) must find the whole network back.
        if not offline:
            self.page.context.set_offline(False)
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        if offline:
            self.page.context.set_offline(True)


def open_form(page: Any, base: str) -> str:
    """The secretary's record form, controlled by the service worker (so it keeps a copy for offline)."""
    page.goto(base + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "!!navigator.serviceWorker.controller")
    return page.url


def records(page: Any, base: str, org: str, topic: str) -> list[dict[str, Any]]:
    found = page.request.get(f"{base}{API}?org={org}&page_size=100").json()["results"]
    return [r for r in found if r["topic"] == topic]


def fill(page: Any, topic: str, held_on: str = "") -> None:
    page.get_by_label("主题").fill(topic)
    if held_on:
        page.get_by_label("日期").fill(held_on)
    page.get_by_label("开始时间").fill("09:00")
    page.get_by_label("结束时间").fill("10:30")
    page.get_by_label("地点").fill("村部会议室")
    page.get_by_label("主持人").fill("李建国")
    page.get_by_label("记录人").fill("王华")
    page.get_by_label("会议内容").fill("学习党的二十届四中全会精神，交流讨论。")
    page.locator("[data-xf-all-present]").click()


def draft_saved(page: Any, photos: int) -> None:
    wait_until(
        page,
        "window.xfOutbox.store.all().then(items => items.some(i => i.state === 'draft' && "
        f"i.photos.length === {photos} && i.fields.content))",
    )


def record_elsewhere(
    page: Any,
    base: str,
    org: str,
    item: str,
    fields: dict[str, Any],
    attendance: list[Any],
    topic: str,
    key: str,
) -> None:
    """Someone else records the plan item a draft chose (through the API, with its own idempotency key), on
    the draft's day, meeting type and 党小组."""
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-CSRFToken": json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"],
    }
    body = {
        "org": int(org),
        "meeting_type": fields["meeting_type"],
        "group": int(fields["group"]) if fields.get("group") else None,
        "plan_item": int(item),
        "topic": topic,
        "started_at": fields["held_on"] + "T08:00",
        "ended_at": fields["held_on"] + "T09:00",
        "place": "x",
        "host_name": "x",
        "recorder_name": "x",
        "lecturer_name": "x",
        "content": "x",
        "attendance": attendance,
    }
    other = page.request.post(base + API, data=json.dumps(body), headers=headers)
    assert other.status == 201, other.text()


def test_a_record_made_offline_is_stored_once_when_the_network_returns(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    url = open_form(page, live_server_url)
    org = url.split("org=")[1]
    topic = "离线登记的主题党日"
    # Held yesterday: the form's own 09:00-10:30 today is still ahead before 10:30 Beijing time, and
    # the server then refuses to take a record of a meeting not yet held (会议尚未召开).
    today = dt.date.fromisoformat(page.get_by_label("日期").input_value())  # the server's local date
    net = Network(page)
    net.set(True)
    try:
        fill(page, topic, held_on=(today - dt.timedelta(days=1)).isoformat())
        page.get_by_label("会议照片").set_input_files(
            [
                {"name": "大合照.jpg", "mimeType": "image/jpeg", "buffer": jpeg((3000, 2000), "#c8161d")},
                {"name": "签到.jpg", "mimeType": "image/jpeg", "buffer": jpeg((800, 1200), "#1d4ed8")},
            ]
        )
        draft_saved(page, 2)
        page.reload()  # no network: the service worker's copy of the form, the draft put back
        wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('已恢复')")
        assert page.get_by_label("主题").input_value() == topic
        assert page.get_by_label("地点").input_value() == "村部会议室"
        assert "已恢复本机保存的草稿" in page.locator("#xf-draft-notice").inner_text()
        assert page.locator("#xf-draft-photos li").count() == 2
        wait_until(
            page,
            "Array.from(document.querySelectorAll('#xf-draft-photos img')).every(i => i.naturalWidth > 0)",
        )
        sizes = page.evaluate(
            "window.xfOutbox.store.all().then(items => Promise.all(items.find(i => i.state === 'draft')"
            ".photos.map(p => createImageBitmap(p.blob).then(b => [b.width, b.height]))))"
        )
        assert sizes == [[2000, 1333], [800, 1200]]  # long side at most 2,000 px, made on the device
        page.get_by_role("button", name="保存并提交审核").click()
        wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('联网后自动提交')")
        shot("orglife-offline-queued-phone")
        # Nothing reached the server while offline (the test asks the server itself, not the browser).
        assert records(page, live_server_url, org, topic) == []
    finally:
        net.set(False)
    # The browser fires `online` as the network returns; the outbox sends then, nothing else is clicked.
    page.wait_for_url("**/orglife/records/*/", timeout=30_000)
    stored = records(page, live_server_url, org, topic)
    assert len(stored) == 1 and stored[0]["status"] == "submitted"
    detail = page.request.get(f"{live_server_url}{API}{stored[0]['id']}/").json()
    photos = [a for a in detail["attachments"] if a["kind"] == "photo"]
    assert len(photos) == 2
    assert page.evaluate("window.xfOutbox.store.all().then(items => items.length)") == 0
    shot("orglife-offline-stored-phone")


def test_the_same_key_sent_again_is_one_record(page, live_server_url):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    url = open_form(page, live_server_url)
    org = url.split("org=")[1]
    topic = "重发两次的支部党员大会"
    fill(page, topic)
    page.get_by_label("会议照片").set_input_files(
        [{"name": "会场.jpg", "mimeType": "image/jpeg", "buffer": jpeg((640, 480), "#15803d")}]
    )
    draft_saved(page, 1)
    key = page.evaluate("window.xfOutbox.store.all().then(items => items[0].key)")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/orglife/records/*/")
    # The answer was lost on the way back: the device sends the same record, same key, once more.
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-CSRFToken": json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"],
    }
    first = records(page, live_server_url, org, topic)
    body = {
        "org": int(org),
        "meeting_type": "theme_day",
        "topic": topic,
        "started_at": "2000-01-01T09:00",
        "ended_at": "2000-01-01T10:00",
        "place": "x",
        "host_name": "x",
        "recorder_name": "x",
        "content": "x",
        "attendance": [],
    }
    again = page.request.post(live_server_url + API, data=json.dumps(body), headers=headers)
    assert again.status == 200 and again.json()["id"] == first[0]["id"]
    assert len(records(page, live_server_url, org, topic)) == 1


def test_a_plan_item_recorded_meanwhile_is_shown_as_a_conflict(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    url = open_form(page, live_server_url)
    org = url.split("org=")[1]
    options = page.locator("select[name='plan_item'] option:not([value=''])")
    assert options.count() > 0, "the demo secretary's branch has an approved plan item left to record"
    item = options.first.get_attribute("value")
    page.locator("select[name='plan_item']").select_option(item)
    fill(page, "计划内的会议（本机）")
    page.get_by_label("会议照片").set_input_files(
        [{"name": "会场.jpg", "mimeType": "image/jpeg", "buffer": jpeg((640, 480), "#7c3aed")}]
    )
    draft_saved(page, 1)
    fields = page.evaluate("window.xfOutbox.store.all().then(items => items[0].fields)")
    # Someone else records the same plan item first (here through the API, with another key).
    attendance = [{"member": int(k[4:]), "present": True} for k, v in fields.items() if k.startswith("att-")]
    record_elsewhere(page, live_server_url, org, item, fields, attendance, "先登记的会议", "someoneelse0001")
    page.get_by_role("button", name="保存并提交审核").click()
    notice = page.locator("#xf-draft-notice")
    wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('未能提交')")
    assert "该计划事项已由" in notice.inner_text() and "登记纪实" in notice.inner_text()
    assert records(page, live_server_url, org, "计划内的会议（本机）") == []  # not merged
    assert page.get_by_label("主题").input_value() == "计划内的会议（本机）"  # the draft is kept
    shot("orglife-offline-conflict-phone")


def test_a_session_ended_while_offline_asks_to_log_in_and_keeps_an_old_draft_as_a_back_fill(
    page, live_server_url, shot
):
    """The meeting was weeks ago (older than the back-fill limit) and the session ended meanwhile: the
    secretary is asked to log in again, nothing is lost, and the record goes in dated the day of the
    meeting, as a 补录 needing approval, never as today's."""
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    url = open_form(page, live_server_url)
    org = url.split("org=")[1]
    topic = "三周前的主题党日（补录）"
    today = dt.date.fromisoformat(page.get_by_label("日期").input_value())  # the server's local date
    held_on = (today - dt.timedelta(days=21)).isoformat()
    net = Network(page)
    net.set(True)
    try:
        fill(page, topic, held_on=held_on)
        page.get_by_label("会议照片").set_input_files(
            [{"name": "会场.jpg", "mimeType": "image/jpeg", "buffer": jpeg((1200, 900), "#b45309")}]
        )
        draft_saved(page, 1)
        page.get_by_role("button", name="保存并提交审核").click()
        wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('联网后自动提交')")
        page.context.clear_cookies()  # the session ends while the phone is offline
    finally:
        net.set(False)
    wait_until(
        page, "document.getElementById('xf-draft-notice').textContent.includes('登录已过期')", timeout=30
    )
    assert page.get_by_role("link", name="重新登录").is_visible()
    shot("orglife-offline-login-again-phone")
    login(page, live_server_url, "secretary")  # the home page opens the app: the outbox sends
    wait_until(page, "window.xfOutbox.store.all().then(items => items.length === 0)", timeout=30)
    stored = records(page, live_server_url, org, topic)
    assert len(stored) == 1 and stored[0]["is_backfill"] and stored[0]["status"] == "submitted"
    assert stored[0]["started_at"].startswith(held_on)


def test_a_photo_taken_with_the_camera_joins_the_draft_offline(page, live_server_url):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    open_form(page, live_server_url)
    camera = page.get_by_label("拍照")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert (
        page.get_by_label("会议照片").get_attribute("multiple") is not None
    )  # several at once from the album
    net = Network(page)
    net.set(True)
    try:
        fill(page, "拍照登记")
        camera.set_input_files(
            [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg((2400, 1800), "#15803d")}]
        )
        draft_saved(page, 1)
        assert page.locator("#xf-draft-photos li").count() == 1
        assert camera.input_value() == ""  # ready for the next shot
    finally:
        net.set(False)


@pytest.mark.browser_context_args(service_workers="block")  # page.route must see the outbox's requests
def test_a_hung_request_does_not_hold_the_next_record(page, live_server_url):
    """On a weak village link the request of one record gets no answer at all. After 30 s the outbox
    gives up on it (the record stays on the device, queued) and sends the next one; the first is sent
    again later. The page's clock is Playwright's, so the 30 s pass at once."""
    page.clock.install()
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    org = page.url.split("org=")[1]
    today = dt.date.fromisoformat(page.get_by_label("日期").input_value())  # the server's local date
    held_on = (today - dt.timedelta(days=1)).isoformat()
    everyone_present = dict.fromkeys(
        page.evaluate("Array.from(document.querySelectorAll('input[name^=\"att-\"]'), e => e.name)"),
        "present",
    )
    page.goto(live_server_url + "/")
    hung, sent_later = "a0-hung-record-key", "b0-next-record-key"  # the outbox sends in key order
    topics = {hung: "无应答的会议记录", sent_later: "排在后面的会议记录"}
    held: list[Any] = []
    release = {"hung": False}

    def answer(route: Any) -> None:
        request = route.request
        if (
            request.method == "POST"
            and request.headers.get("idempotency-key") == hung
            and not release["hung"]
        ):
            held.append(route)  # never answered
            return
        route.continue_()

    page.route("**" + API, answer)
    for key, topic in topics.items():
        item = {
            "key": key,
            "user": page.evaluate("window.xfOutbox.userId"),
            "org": org,
            "url": "/orglife/records/new/?org=" + org,
            "photos": [],
            "state": "queued",
            "then": "draft",
            "fields": {
                "meeting_type": "theme_day",
                "topic": topic,
                "held_on": held_on,
                "start_time": "09:00",
                "end_time": "10:00",
                "place": "村部会议室",
                "host_name": "李建国",
                "recorder_name": "王华",
                "content": "学习交流。",
                **everyone_present,
            },
        }
        page.evaluate("item => window.xfOutbox.store.put(item)", item)
    page.evaluate("window.xfOutbox.run(), true")
    deadline = 150
    while not held and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert held, "the first record's request was sent"
    page.wait_for_timeout(500)
    assert records(page, live_server_url, org, topics[sent_later]) == []  # waiting behind the hung one
    page.clock.fast_forward(31_000)
    wait_until(page, f"window.xfOutbox.store.get('{sent_later}').then(i => !i)")
    assert len(records(page, live_server_url, org, topics[sent_later])) == 1
    assert page.evaluate(f"window.xfOutbox.store.get('{hung}').then(i => i.state)") == "queued"
    assert records(page, live_server_url, org, topics[hung]) == []
    # The link recovers: the retry a few seconds later stores the first record too, once.
    release["hung"] = True
    page.clock.fast_forward(61_000)
    wait_until(page, f"window.xfOutbox.store.get('{hung}').then(i => !i)", timeout=30)
    assert len(records(page, live_server_url, org, topics[hung])) == 1
    page.unroute_all(behavior="ignoreErrors")
