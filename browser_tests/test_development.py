"""A branch secretary moves an activist to 发展对象 on a phone, with the evidence (the filing's scan), after a
refused attempt (headless Chromium; axe on every page at 390 and 1366 px)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from browser_tests.conftest import ROOT, SERVER_ENV, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# An activist of the secretary's branch, activist for 13 months, with contacts, half-yearly assessments
# and the notice (公示) published two weeks ago: ready for the 支委会 to make a 发展对象. Written through
# the services against the test server's database.
SETUP = """
import datetime as dt
from django.utils import timezone
from development import rules
from development.models import Link
from development.services import pipeline as svc
from orgs.models import Member, RoleGrant
from personal import idcard
WHY = "浏览器测试：补录纸质档案"
today = timezone.localdate()
org = RoleGrant.objects.get(user__username="secretary").org
full = list(Member.objects.filter(org=org, category="full", status="normal").order_by("id")[:2])
activist_on = rules.add_months(today, -13)
applied = activist_on - dt.timedelta(days=60)
p, _ = svc.register_application(actor=None, org=org, name="林晓测", is_league_member=True,
    id_number=idcard.make("110101", dt.date(1998, 5, 6), 991), applied_on=applied, backdate_reason=WHY)
svc.record_talk(actor=None, person=p, on=applied + dt.timedelta(days=20), backdate_reason=WHY)
svc.make_activist(actor=None, person=p, nomination="members", decided_on=activist_on,
    filed_on=activist_on + dt.timedelta(days=3), backdate_reason=WHY)
svc.set_links(actor=None, person=p, kind=Link.Kind.CONTACT, members=full, on=activist_on, backdate_reason=WHY)
day = rules.add_months(activist_on, 5)
while day < today:
    svc.add_assessment(actor=None, person=p, held_on=day, summary="表现良好", backdate_reason=WHY)
    day = rules.add_months(day, 5)
svc.publish_notice(actor=None, person=p, kind="candidate", starts_on=today - dt.timedelta(days=14),
    backdate_reason=WHY)
print(p.pk)
"""


def ready_activist() -> int:
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SETUP],
        env=SERVER_ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_secretary_makes_an_activist_a_candidate_with_evidence_on_a_phone(page, live_server_url, shot):
    pk = ready_activist()
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    page.set_viewport_size(PHONE)
    login(page, live_server_url, "secretary")
    page.goto(f"{live_server_url}/development/{pk}/")
    assert "入党积极分子" in page.locator("body").inner_text()
    assert no_horizontal_scroll(page)

    step = page.locator("details", has_text="确定为发展对象（D-06）")
    step.locator("summary").click()
    # Filed with the 党委 before the 支委会 decided: refused in Chinese, nothing saved.
    step.get_by_label("支委会研究日期").fill(today.isoformat())
    step.get_by_label("报上级党委备案日期").fill((today - dt.timedelta(days=1)).isoformat())
    step.get_by_role("button", name="办理").click()
    page.wait_for_load_state()
    refused = page.locator("details[open]", has_text="确定为发展对象（D-06）")
    assert "不能早于支委会研究日期" in refused.inner_text()
    assert "入党积极分子" in page.locator("body").inner_text()
    shot("dev-phone-refused")

    refused.get_by_label("报上级党委备案日期").fill(today.isoformat())
    refused.get_by_role("button", name="办理").click()
    page.wait_for_url(f"**/development/{pk}/")
    body = page.locator("body").inner_text()
    assert "已办理：确定为发展对象（D-06）" in body and "确定为发展对象" in body

    # The evidence: the scan of the filing with the 党委.
    page.get_by_label("材料", exact=True).select_option(label="确定发展对象备案材料")
    page.get_by_label("扫描件（JPG、PNG、PDF、Word，按内容识别）").set_input_files(
        files=[{"name": "备案材料.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(f"**/development/{pk}/")
    assert "已上传：确定发展对象备案材料（备案材料.pdf）" in page.locator("body").inner_text()
    scan = page.locator("li", has_text="确定发展对象备案材料").get_by_role("link", name="扫描件")
    assert scan.count() == 1
    assert no_horizontal_scroll(page)
    shot("dev-phone-candidate")

    page.set_viewport_size(DESKTOP)
    page.reload()
    assert no_horizontal_scroll(page)
    shot("dev-desktop-candidate")
