"""完成情况 page, drill-down, ledger and its export, the dashboard chart, and the stats API — four ways."""

import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

import personal
from audit.models import AuditEvent
from orglife.tests.stats_fixtures import make_record
from orgs.tests.api_client import api

MAR = dt.date(2026, 3, 1)


@pytest.fixture
def data(cast):
    with time_machine.travel(dt.datetime(2026, 3, 28, 10, 0, tzinfo=dt.UTC), tick=False):
        cast.record = make_record(cast.branch_a1, "committee", MAR, present=3, absent=1, topic="三月支委会")
        make_record(cast.branch_a2, "theme_day", MAR, topic="植树主题党日")
        call_command("orglife_refresh_stats", "--month", "2026-03")
        yield cast


def completion_url(org=None, **params):
    query = "&".join(f"{k}={v}" for k, v in {"month": "2026-03", **params}.items())
    return reverse("orglife:stats_completion") + (f"?org={org.pk}&" if org else "?") + query


def ledger_url(org, name="orglife:stats_ledger"):
    return reverse(name, args=[org.pk, 2026])


# ---------------------------------------------------------------- four-way access

PAGES = [
    lambda c: completion_url(c.committee_a),
    lambda c: completion_url(c.branch_a1),
    lambda c: ledger_url(c.branch_a1),
    lambda c: ledger_url(c.branch_a1, "orglife:stats_ledger_export"),
]


@pytest.mark.parametrize("url", PAGES)
def test_stats_pages_four_ways(data, url):
    assert data.client(data.dept_admin).get(url(data)).status_code == 200
    assert data.client(data.committee_admin).get(url(data)).status_code == 200
    assert data.client(data.viewer).get(url(data)).status_code == 200  # read-only pages: readers see them
    assert data.client(data.outsider).get(url(data)).status_code == 404
    response = data.client(None).get(url(data))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_completion_page_without_org_starts_at_the_users_scope(data):
    response = data.client(data.committee_admin).get(completion_url())
    assert response.context["node"] == data.committee_a
    assert data.client(data.member_user).get(completion_url()).status_code == 404


def test_a_ledger_is_only_for_branches(data):
    assert data.client(data.dept_admin).get(ledger_url(data.committee_a)).status_code == 404


# ---------------------------------------------------------------- drill-down


def test_drill_down_from_county_to_committee_to_branch_to_record(data):
    client = data.client(data.dept_admin)
    county = client.get(completion_url(data.county))
    rows = {r.org.code: r.totals for r in county.context["data"].rows}
    assert (rows["C0002"].required, rows["C0002"].credited) == (8, 2)
    assert f"?org={data.committee_a.pk}&amp;period=month" in county.content.decode()
    committee = client.get(completion_url(data.committee_a))
    assert [r.org.code for r in committee.context["data"].rows] == ["B0001", "B0002"]
    branch = client.get(completion_url(data.branch_a1))
    html = branch.content.decode()
    assert "三月支委会" in html and "实到 3/应到 4" in html
    (record,) = branch.context["records"]
    assert record.url in html  # the record page of the records module (or none when it is absent)
    assert ledger_url(data.branch_a1) in html


def test_the_completion_page_renders_chart_data(data):
    html = data.client(data.dept_admin).get(completion_url(data.county)).content.decode()
    payload = json.loads(
        re.search(r'id="completion-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert payload["labels"] == [data.committee_a.display_name, data.committee_b.display_name]
    assert payload["rates"] == [25.0, 0]
    assert "vendor/echarts/echarts.min.js" in html


def test_ledger_shows_months_records_and_plans(data):
    response = data.client(data.secretary).get(ledger_url(data.branch_a1))
    ledger = response.context["data"]
    march = dict(ledger.grid)[MAR]
    committee = [c for (t, _), c in zip(ledger.types, march, strict=True) if t == "committee"][0]
    assert (committee.required, committee.held) == (1, 1)
    assert "三月支委会" in response.content.decode()


# ---------------------------------------------------------------- export


def test_the_ledger_export_is_an_audited_masked_xlsx(data):
    response = data.client(data.secretary).get(ledger_url(data.branch_a1, "orglife:stats_ledger_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "三月支委会" in cells and "1/1" in cells
    secrets = [personal.decrypt(data.member_a1.id_number_enc), "13955551234"]
    assert not any(s in c for s in secrets for c in cells)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == data.secretary.pk and event.org_id == data.branch_a1.pk
    assert event.summary["what"] == "orglife_ledger"


def test_an_outsider_cannot_export_and_nothing_is_audited(data):
    response = data.client(data.outsider).get(ledger_url(data.branch_a1, "orglife:stats_ledger_export"))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_shows_the_months_completion_by_committee(data):
    with time_machine.travel(dt.datetime(2026, 3, 28, 10, 0, tzinfo=dt.UTC), tick=False):
        html = data.client(data.dept_admin).get(reverse("home:dashboard")).content.decode()
    payload = json.loads(
        re.search(r'id="completion-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert payload["labels"] == [data.committee_a.display_name, data.committee_b.display_name]
    assert payload["required"] == [8, 3] and payload["credited"] == [2, 0]
    assert "orglife/completion_chart.js" in html


def test_the_dashboard_chart_adds_a_bounded_number_of_queries(data, django_assert_max_num_queries):
    from orglife.selectors.stats import dashboard_chart

    # the grants (from the session on a page), the scope root with its children, the stats with the late plans
    with django_assert_max_num_queries(3):
        dashboard_chart(data.dept_admin, MAR).data  # noqa: B018


# ---------------------------------------------------------------- API

API = "/api/v1/orglife/stats/completion/"


def test_the_completion_api_four_ways(data):
    url = f"{API}?org={data.committee_a.pk}&period=month&month=2026-03"
    body = api(data.committee_admin).get(url).json()
    assert body["totals"]["required"] == 8 and body["totals"]["completion_rate"] == 25.0
    assert [r["org"]["id"] for r in body["rows"]] == [data.branch_a1.pk, data.branch_a2.pk]
    assert {t["meeting_type"] for t in body["by_type"]} >= {"committee", "theme_day"}
    assert api(data.dept_admin).get(url).status_code == 200
    assert api(data.viewer).get(url).status_code == 200
    assert api(data.outsider).get(url).status_code == 404
    assert api(None).get(url).status_code == 401


def test_the_completion_api_rejects_bad_parameters(data):
    assert api(data.dept_admin).get(f"{API}?period=week").status_code == 400
    assert api(data.dept_admin).get(f"{API}?month=2026-13x").status_code == 400
    quarter = api(data.dept_admin).get(f"{API}?period=quarter&month=2026-02").json()
    assert quarter["period"]["label"] == "2026年第1季度"
