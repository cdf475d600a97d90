"""A member takes a timed quiz on a phone: answers are saved as they are chosen, the connection drops mid-way
(answers kept in the browser and sent when it comes back), the page is reloaded, and the submit shows the
score (headless Chromium at 390 px; axe checks every page at 390 and 1366 px)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from browser_tests.conftest import ROOT, SERVER_ENV, login, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A title as long as real ones: on a phone it must stay readable beside the timer and the save status.
TITLE = "学习贯彻党的二十大精神手机限时答题测试"

# Run against the test server's own database: a 5-question, 3-minute exam for the demo member's branch
# (published through the services, as an admin would), and later the answers the server holds.
SETUP = f"""
import datetime as dt, json
from django.utils import timezone
from accounts.models import User
from quizzes import services
from quizzes.models import Category
user = User.objects.get(username="member")
admin = User.objects.get(username="admin_dept")
county = user.member.org
while county.parent_id:
    county = county.parent
from django.db.models import Count
biggest = Category.objects.filter(org=county).annotate(n=Count("questions")).order_by("-n", "pk").first()
now = timezone.now()
campaign = services.create_campaign(
    actor=admin, org=user.member.org, title={TITLE!r}, starts_at=now - dt.timedelta(minutes=1),
    ends_at=now + dt.timedelta(days=1), quotas=[{{"category": biggest.pk, "difficulty": None, "count": 5}}],
    time_limit_minutes=3, attempts_allowed=1, pass_mark=60, review_after_close=False,
)
print(json.dumps({{"campaign": campaign.pk}}))
"""

STATE = """
import json
from quizzes.models import Attempt
a = Attempt.objects.get(campaign_id={campaign}, member__user__username="member")
items = [
    {{"q": i.question_id, "kind": i.question.kind, "answer": i.version.answer, "options": len(i.version.options),
      "response": i.response}}
    for i in a.items.select_related("question", "version").order_by("position")
]
print(json.dumps({{"attempt": a.pk, "status": a.status, "score": str(a.score), "items": items}}))
"""


def server_shell(code: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=SERVER_ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def choose(page: Any, item: dict[str, Any], right: bool) -> None:
    """Answer one question in the page as a member would: tap the options (or type the blanks)."""
    fieldset = page.locator(f"fieldset[data-question='{item['q']}']")
    if item["kind"] == "fill":
        for n, variants in enumerate(item["answer"]):
            fieldset.locator("input").nth(n).fill(variants[0] if right else "不知道")
            fieldset.locator("input").nth(n).dispatch_event("change")
        return
    wanted = item["answer"] if right else [next(i for i in range(item["options"]) if i not in item["answer"])]
    for index in wanted:
        fieldset.locator(f"input[value='{index}']").check()


def assert_header_fits(page: Any) -> None:
    title = page.locator("#quiz-title")
    assert title.inner_text() == TITLE
    box = title.bounding_box()
    assert box is not None and box["width"] >= PHONE["width"] * 0.6
    assert page.evaluate(
        "(e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight)", title.element_handle()
    )
    timer = page.locator("#quiz-timer").bounding_box()
    assert timer is not None and timer["x"] + timer["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_member_takes_a_timed_quiz_on_a_phone_through_a_dropped_connection(
    page: Any, live_server_url: str, shot: Any
) -> None:
    # The server's database exists once the live server is up (this fixture's argument).
    campaign = server_shell(SETUP)["campaign"]
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "member")
    page.goto(live_server_url + "/quizzes/")
    card = page.locator(".xf-card", has_text=TITLE)
    assert "限时 3 分钟" in card.inner_text()
    card.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile(r".*/quizzes/attempts/\d+/$"))
    timer = page.locator("#quiz-timer")
    assert re.fullmatch(r"0[23]:\d\d", timer.inner_text())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    state = server_shell(STATE.format(campaign=campaign))
    items = state["items"]
    assert len(items) == 5 and state["status"] == "open"

    # The first two answers are saved as they are chosen.
    choose(page, items[0], right=True)
    choose(page, items[1], right=True)
    wait_until(page, "document.getElementById('quiz-status').textContent === '已保存'")
    pending = f"Object.keys(JSON.parse(localStorage.getItem('xf-quiz-{state['attempt']}') || '{{}}')).length"
    wait_until(page, pending + " === 0")
    saved = server_shell(STATE.format(campaign=campaign))["items"]
    assert [i["response"] is not None for i in saved] == [True, True, False, False, False]
    shot("quizzes-take-phone")

    # The connection drops: the next answers stay in the browser, and the page says so.
    page.context.set_offline(True)
    choose(page, items[2], right=True)
    choose(page, items[3], right=False)  # one wrong answer: the score is 80
    wait_until(page, "document.getElementById('quiz-status').textContent.indexOf('网络中断') === 0")
    shot("quizzes-offline-phone")
    # The long status takes its own line: the title keeps most of the width, whole, and the timer stays on screen.
    assert_header_fits(page)
    assert [i["response"] is not None for i in server_shell(STATE.format(campaign=campaign))["items"]] == [
        True,
        True,
        False,
        False,
        False,
    ]
    # Back online: the kept answers go to the server; a reload shows every answer still chosen.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "document.getElementById('quiz-status').textContent === '已保存'")
    saved = server_shell(STATE.format(campaign=campaign))["items"]
    assert [i["response"] is not None for i in saved] == [True, True, True, True, False]
    page.reload()
    for item in items[:4]:
        if item["kind"] != "fill":
            assert page.locator(f"fieldset[data-question='{item['q']}'] input:checked").count() >= 1

    choose(page, items[4], right=True)
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r".*/quizzes/attempts/\d+/$"))
    page.locator(".display-5").wait_for()
    assert "80.0" in page.locator(".display-5").inner_text()
    assert "通过" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("quizzes-result-phone")
    done = server_shell(STATE.format(campaign=campaign))
    assert done["status"] == "submitted" and done["score"] == "80.0"
    page.set_viewport_size({"width": 1366, "height": 800})
    shot("quizzes-result-desktop")
