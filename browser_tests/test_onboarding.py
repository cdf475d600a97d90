"""A department admin onboards a small county from three files in headless Chromium: upload, check, import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from browser_tests.conftest import login, run_tasks, wait_until
from orgs.services import positions_file, roster, tree_file
from personal import idcard

pytestmark = pytest.mark.browser


def _xlsx(headers: list[str], rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _files(root_code: str) -> dict[str, bytes]:
    tree = [
        {
            "组织全称": "浏览器测试局党委",
            "组织代码": "WB0001",
            "上级组织代码": root_code,
            "组织类别": "党委",
            "单位类别": "机关",
        },
        {
            "组织全称": "浏览器测试局第一支部",
            "组织代码": "WB0002",
            "上级组织代码": "WB0001",
            "组织类别": "党支部",
            "单位类别": "机关",
        },
    ]
    people = [
        {
            "姓名": f"浏览器导入{i}",
            "公民身份号码": idcard.make("340103", dt.date(1986, 2, 3), 700 + i),
            "人员类别": "正式党员",
            "入党日期": "2012-07-01",
            "转正日期": "2013-07-01",
            "所在党组织代码": "WB0002",
        }
        for i in range(1, 4)
    ]
    posts = [
        {
            "姓名": people[0]["姓名"],
            "公民身份号码": people[0]["公民身份号码"],
            "任职组织代码": "WB0002",
            "职务": "书记",
            "任职日期": "2025-01-01",
        }
    ]
    return {
        "orgs": _xlsx([h for _, h, _ in tree_file.COLUMNS], tree),
        "members": _xlsx([c.header for c in roster.COLUMNS], people),
        "positions": _xlsx([h for _, h, _ in positions_file.COLUMNS], posts),
    }


def test_a_department_admin_onboards_a_small_county_from_three_files(page, live_server_url, shot):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server_url, "admin_dept")
    roots = page.request.get(live_server_url + "/api/v1/organizations/?kind=committee").json()["results"]
    root_code = min(roots, key=lambda o: o["depth"])["code"]
    page.goto(live_server_url + "/onboarding/")
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for name, content in _files(root_code).items():
        page.locator(f"input[name={name}]").set_input_files(
            {"name": f"{name}.xlsx", "mimeType": xlsx_type, "buffer": content}
        )
    page.get_by_role("button", name="上传").click()
    page.wait_for_url(lambda url: "/onboarding/" in url and url.rstrip("/").split("/")[-1].isdigit())
    assert "列名齐全" in page.locator("#mapping").inner_text()

    page.get_by_role("button", name="第三步：校验并预览").click()
    run_tasks()
    page.reload()
    wait_until(page, "document.body.innerText.includes('校验通过')")
    assert "新增 2" in page.locator("#report").inner_text()  # the preview: two organizations, nothing written
    shot("desktop-onboarding-preview")

    page.get_by_role("button", name="第四步：确认导入").click()
    run_tasks()
    page.reload()
    wait_until(page, "document.body.innerText.includes('导入结果')")
    assert "结构检查" in page.locator("#findings").inner_text()
    shot("desktop-onboarding-done")

    [branch] = page.request.get(live_server_url + "/api/v1/organizations/?q=WB0002").json()["results"]
    page.goto(live_server_url + f"/positions/?org={branch['id']}")
    assert "浏览器导入1" in page.locator("#positions").inner_text()
