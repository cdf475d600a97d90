"""The phone's daily pages from the service worker's copy (stale-while-revalidate), in headless Chromium:
a repeat visit shows this login's last copy at once, marked 正在更新…, and the fresh page replaces it; the
copies go with sign-out and are never shown to another login; nothing is sent from a copy of the record
form before the fresh page's CSRF token (and plan items) have replaced the copy's."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from browser_tests.conftest import DEMO_PASSWORD, ROOT, SERVER_ENV, login, wait_until
from browser_tests.test_orglife_offline import API, fill, jpeg, record_elsewhere, records

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# What the page was when it was first shown (before the fresh page could replace a copy).
FIRST_SHOWN = """
document.addEventListener('DOMContentLoaded', () => {
  window.__firstCopy = document.documentElement.getAttribute('data-xf-copy');
  const main = document.querySelector('main');
  window.__firstMain = main ? main.innerText : '';
});
"""
COPIES = "caches.keys().then(k => k.filter(n => n.startsWith('xianfeng-user-')))"


def controlled(page: Any, url: str) -> None:
    """Open url under the worker's control, so that it keeps a copy of the page."""
    page.goto(url)
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "!!navigator.serviceWorker.controller")
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    wait_until(
        page,
        f"{COPIES}.then(n => n.length === 1 && caches.open(n[0]).then(c => c.match('/{path}'))).then(Boolean)",
    )


def token(page: Any) -> str:
    return json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"]


def everyone(page: Any, base: str, org: str, query: str = "") -> list[dict[str, Any]]:
    """The branch's attendance list (as the form has it for this meeting type), everyone present."""
    headers = {"HX-Request": "true"} if query else {}  # the form rebuilt for that type, as htmx asks it
    form = page.request.get(f"{base}/orglife/records/new/?org={org}{query}", headers=headers).text()
    return [
        {"member": m, "present": True}
        for m in sorted({int(m) for m in re.findall(r'name="att-(\d+)"', form)})
    ]


def draft_record(page: Any, base: str, org: str, topic: str) -> None:
    """A record stored meanwhile elsewhere (through the API, its own key), everyone present, yesterday."""
    form = page.request.get(f"{base}/orglife/records/new/?org={org}").text()
    today = dt.date.fromisoformat(re.search(r'name="held_on" value="([^"]+)"', form).group(1))
    day = (today - dt.timedelta(days=1)).isoformat()
    body = {
        "org": int(org),
        "meeting_type": "theme_day",
        "topic": topic,
        "started_at": day + "T09:00",
        "ended_at": day + "T10:00",
        "place": "x",
        "host_name": "x",
        "recorder_name": "x",
        "lecturer_name": "x",
        "content": "x",
        "attendance": everyone(page, base, org),
    }
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": topic.encode().hex()[:40],
        "X-CSRFToken": token(page),
    }
    answer = page.request.post(base + API, data=json.dumps(body), headers=headers)
    assert answer.status == 201, answer.text()


def sign_in_without_a_page(page: Any, base: str, username: str) -> None:
    """Another user signs in on the same device with no page of the site in between (the login goes straight
    to the server: only the cookies change)."""
    form = page.request.get(base + "/accounts/login/").text()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    answer = page.request.post(
        base + "/accounts/login/",
        form={"csrfmiddlewaretoken": csrf, "username": username, "password": DEMO_PASSWORD},
        headers={"Referer": base + "/accounts/login/"},
        max_redirects=0,
    )
    assert answer.status == 302


class Held:
    """Holds the worker's fetches of one address (BrowserContext.route sees a worker's requests) until
    release(): the copy stays on screen as long as the network would take."""

    def __init__(self, page: Any, pattern: str) -> None:
        self.routes: list[Any] = []
        self.context = page.context
        self.pattern = re.compile(pattern)
        self.context.route(self.pattern, lambda route: self.routes.append(route))

    def release(self) -> None:
        for route in self.routes:
            route.continue_()
        self.context.unroute(self.pattern)


def test_a_repeat_visit_shows_the_copy_at_once_then_the_fresh_page(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    page.context.add_init_script(FIRST_SHOWN)
    login(page, live_server_url, "secretary")
    controlled(page, live_server_url + "/")
    org = page.locator("a[href*='/orglife/records/new/?org=']").first.get_attribute("href").split("org=")[1]
    topic = "刚登记的纪实草稿（首页更新）"
    draft_record(page, live_server_url, org, topic)
    held = Held(page, r"^http://127\.0\.0\.1:\d+/$")
    page.goto(live_server_url + "/")
    # The copy, at once: as of the last visit, marked as being updated.
    assert page.evaluate("window.__firstCopy") == "updating"
    assert topic not in page.evaluate("window.__firstMain")
    assert page.locator("html").get_attribute("data-xf-copy") == "updating"
    assert page.get_by_text("正在更新…").is_visible()
    shot("home-secretary-copy-phone")
    assert held.routes, "the worker fetched the fresh page at the same time"
    held.release()
    # The fresh page replaces it: the draft stored meanwhile is on the to-do list, the note is gone.
    wait_until(page, "!document.documentElement.hasAttribute('data-xf-copy')")
    page.get_by_text(topic).wait_for()
    assert not page.get_by_text("正在更新…").is_visible()
    # The side panel (htmx, loaded after the page) is there too, from the fresh content.
    page.get_by_role("link", name="全部消息").wait_for()


def test_offline_the_copy_says_when_it_was_fetched(page, live_server_url):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    controlled(page, live_server_url + "/")
    page.context.set_offline(True)
    try:
        page.goto(live_server_url + "/")
        wait_until(page, "document.documentElement.getAttribute('data-xf-copy') === 'offline'")
        note = page.get_by_text("离线副本，更新于")
        assert note.is_visible()
        assert re.search(r"离线副本，更新于 \d\d:\d\d", note.inner_text())
    finally:
        page.context.set_offline(False)
    # The network back: the page fetches itself and the note goes.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "!document.documentElement.hasAttribute('data-xf-copy')")


def test_signing_out_drops_the_copies(page, live_server_url):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    controlled(page, live_server_url + "/")
    assert any(c["name"] == "xf_page" for c in page.context.cookies())
    page.get_by_role("button", name=re.compile("账号")).click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
    wait_until(page, f"{COPIES}.then(n => n.length === 0)")
    assert not any(c["name"] == "xf_page" for c in page.context.cookies())


def test_another_login_on_the_device_never_sees_the_first_users_page(page, live_server_url):
    page.set_viewport_size(PHONE)
    page.context.add_init_script(FIRST_SHOWN)
    login(page, live_server_url, "secretary")
    controlled(page, live_server_url + "/")
    [secretary_copies] = page.evaluate(COPIES)
    secretary_home = page.locator("main").inner_text()
    # Another user signs in on the same device, with no sign-out and no page of the site in between (the
    # login goes straight to the server: only the cookies change).
    sign_in_without_a_page(page, live_server_url, "member")
    page.goto(live_server_url + "/")
    assert page.evaluate("window.__firstCopy") is None  # the network's page, not a copy
    first = page.evaluate("window.__firstMain")
    assert "纪实待处理" not in first and "登记纪实" not in first and first != secretary_home
    assert "，您好" in first  # the member's own home
    # the member's own copy is kept; the secretary's is gone
    wait_until(page, f"{COPIES}.then(n => n.length === 1 && n[0] !== '{secretary_copies}')")


def test_a_copy_of_the_record_form_sends_nothing_before_the_fresh_token(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    url = page.url
    org = url.split("org=")[1]
    controlled(page, url)
    topic = "副本上填写的主题党日"
    # held yesterday: before 10:30 Beijing time the form's own 09:00-10:30 today is not yet held (refused)
    today = dt.date.fromisoformat(page.get_by_label("日期").input_value())
    fill(page, topic, held_on=(today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("会议照片").set_input_files(
        [{"name": "会场.jpg", "mimeType": "image/jpeg", "buffer": jpeg((640, 480), "#0f766e")}]
    )
    wait_until(
        page, "window.xfOutbox.store.all().then(i => i.some(x => x.photos.length === 1 && x.fields.content))"
    )
    sent: list[dict[str, str]] = []
    page.on(
        "request", lambda r: sent.append(r.headers) if r.method == "POST" and r.url.endswith(API) else None
    )
    held = Held(page, r"/orglife/records/new/\?org=")
    page.goto(url)  # the copy, the draft put back
    wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('已恢复')")
    assert page.locator("html").get_attribute("data-xf-copy") == "updating"
    copy_token = token(page)
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_timeout(1500)
    assert sent == [] and records(page, live_server_url, org, topic) == []  # held until the fresh page
    shot("orglife-record-copy-held-phone")
    held.release()
    page.wait_for_url("**/orglife/records/*/", timeout=30_000)
    assert len(sent) == 1 and sent[0]["x-csrftoken"] != copy_token  # the fresh page's token
    assert len(records(page, live_server_url, org, topic)) == 1


def test_a_plan_item_recorded_meanwhile_leaves_the_copy_of_the_form(page, live_server_url, shot):
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    url = page.url
    org = url.split("org=")[1]
    # The demo's items of this month may all be recorded by now (by the demo up to today, or by other tests
    # on this server): the test adds one of its own to the branch's approved plan of this month.
    code = (
        "from orglife.models import MonthlyPlan, PlanItem; from orglife.periods import first_of_month, local_today;"
        f"plan = MonthlyPlan.objects.get(org_id={int(org)}, month=first_of_month(local_today()),"
        " status=MonthlyPlan.Status.APPROVED);"
        "PlanItem.objects.create(plan=plan, meeting_type='theme_day', topic='浏览器测试的计划事项',"
        " planned_on=local_today())"
    )
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=SERVER_ENV, check=True)
    controlled(page, url)
    options = page.locator("select[name='plan_item'] option:not([value=''])")
    assert options.count() > 0, "the branch's approved plan has an item left to record"
    item = options.first.get_attribute("value")
    page.locator("select[name='plan_item']").select_option(item)
    wait_until(page, f"window.xfOutbox.store.all().then(i => i.some(x => x.fields.plan_item === '{item}'))")
    fields = page.evaluate("window.xfOutbox.store.all().then(items => items[0].fields)")
    # Someone else records the same plan item meanwhile (here through the API, with another key).
    attendance = everyone(
        page,
        live_server_url,
        org,
        f"&meeting_type={fields['meeting_type']}&group={fields.get('group') or ''}",
    )
    record_elsewhere(
        page, live_server_url, org, item, fields, attendance, "他人先登记的计划事项", "someoneelse-copy"
    )
    held = Held(page, r"/orglife/records/new/\?org=")
    page.goto(url)  # the copy, the draft (with that plan item, which the copy still offers) put back
    wait_until(page, "document.getElementById('xf-draft-notice').textContent.includes('已恢复')")
    select = page.locator("select[name='plan_item']")
    assert page.locator("html").get_attribute("data-xf-copy") == "updating" and select.input_value() == item
    held.release()
    wait_until(page, "!document.documentElement.hasAttribute('data-xf-copy')")
    assert page.locator(f"select[name='plan_item'] option[value='{item}']").count() == 0
    assert select.input_value() == ""
    assert page.get_by_role("alert").filter(has_text="所选的计划事项已由他人登记").is_visible()
    # the draft follows: its plan item is cleared
    wait_until(page, "window.xfOutbox.store.all().then(i => i.every(x => !x.fields.plan_item))")
    shot("orglife-record-copy-plan-item-gone-phone")


NO_COOKIE_STORE = 'Object.defineProperty(self, "cookieStore", { value: undefined });\n'


def without_cookie_store(page: Any) -> None:
    """The worker as a browser with no cookieStore in service workers runs it (Firefox, Safari before 18.4)."""

    def handle(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=NO_COOKIE_STORE + response.text())

    page.context.route(re.compile(r"/sw\.js(\?|$)"), handle)


def test_without_cookie_store_the_record_form_is_still_kept_offline_and_never_for_another_login(
    page, live_server_url
):
    page.set_viewport_size(PHONE)
    page.context.add_init_script(FIRST_SHOWN)
    without_cookie_store(page)
    login(page, live_server_url, "secretary")
    page.goto(live_server_url + "/orglife/records/new/")
    page.wait_for_url("**/orglife/records/new/?org=*")
    url = page.url
    controlled(page, url)
    assert page.evaluate("navigator.serviceWorker.controller && 1") == 1
    # Online, a visit is the network's page (no copy first: the worker cannot tell whose login it is).
    page.goto(url)
    assert page.evaluate("window.__firstCopy") is None
    # Offline, this login's last copy of the form (offline recording keeps working).
    page.context.set_offline(True)
    try:
        page.goto(url)
        wait_until(page, "document.documentElement.getAttribute('data-xf-copy') === 'offline'")
        assert page.get_by_label("日期").is_visible()
    finally:
        page.context.set_offline(False)
    [secretary_copies] = page.evaluate(COPIES)
    # Another user signs in with no page of the site in between: the visit is theirs, from the network, and
    # the secretary's copies go.
    sign_in_without_a_page(page, live_server_url, "member")
    page.goto(live_server_url + "/")
    assert page.evaluate("window.__firstCopy") is None
    assert "，您好" in page.evaluate("window.__firstMain")
    wait_until(page, f"{COPIES}.then(n => !n.includes('{secretary_copies}'))")
