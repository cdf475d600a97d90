import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from conftest import make_user
from orgs.roles import Role

URL = reverse("audit:event_list")


def rows(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def write_event(actor, org, name: str = "改名", **extra) -> AuditEvent:
    return record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=org,
        org=org,
        summary={"changed": {"name": ["旧", name]}},
        **extra,
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)


@pytest.fixture
def audit_admin(cast):
    """The 审计管理员: the full trail, whatever node the grant names."""
    return make_user("audit_admin", Role.AUDIT_ADMIN, cast.branch_b1)


@pytest.fixture
def a_auditor(cast):
    """An auditor of committee A only."""
    return make_user("a_auditor", Role.AUDITOR, cast.committee_a)


# Four ways: auditors read; a read-only viewer, an outsider and other writers get 404; anonymous logs in.
def test_auditors_see_the_page(cast):
    response = cast.client(cast.auditor).get(URL)
    assert response.status_code == 200
    assert "审计日志" in response.content.decode()


def test_the_audit_admin_sees_the_page(cast, audit_admin):
    assert cast.client(audit_admin).get(URL).status_code == 200


# 三员分立: neither the department admin nor a superuser (a system administrator) reads the trail.
def test_a_superuser_gets_404(cast, superuser):
    assert cast.client(superuser).get(URL).status_code == 404


@pytest.mark.parametrize(
    "who", ["dept_admin", "viewer", "outsider", "secretary", "committee_admin", "member_user"]
)
def test_everyone_else_gets_404(cast, who):
    assert cast.client(getattr(cast, who)).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_is_read_only(cast):
    assert cast.client(cast.auditor).post(URL).status_code == 405


def test_the_menu_shows_the_page_to_auditors_only(cast):
    assert URL in cast.client(cast.auditor).get(reverse("accounts:password_change")).content.decode()
    assert URL not in cast.client(cast.viewer).get(reverse("accounts:password_change")).content.decode()


def test_an_auditor_sees_writes_in_their_subtree_only(cast, a_auditor):
    inside = write_event(cast.committee_admin, cast.branch_a1)
    write_event(cast.outsider, cast.branch_b1)
    write_event(cast.dept_admin, cast.county)
    assert rows(cast.client(a_auditor).get(URL)) == [inside]


def test_an_auditor_sees_account_events_of_users_granted_in_their_subtree(cast, a_auditor):
    mine = record_event(actor=cast.secretary, action=AuditEvent.Action.LOGIN)
    failed = record_event(actor=None, actor_name="secretary", action=AuditEvent.Action.LOGIN_FAILED)
    record_event(actor=cast.outsider, action=AuditEvent.Action.LOGIN)
    record_event(actor=None, actor_name="outsider", action=AuditEvent.Action.LOGIN_FAILED)
    record_event(actor=None, actor_name="ghost", action=AuditEvent.Action.LOGIN_FAILED)
    assert set(rows(cast.client(a_auditor).get(URL))) == {mine, failed}


def test_only_the_audit_admin_sees_failures_for_unknown_usernames(cast, audit_admin):
    ghost = record_event(actor=None, actor_name="ghost", action=AuditEvent.Action.LOGIN_FAILED)
    assert ghost not in rows(cast.client(cast.auditor).get(URL))
    assert ghost in rows(cast.client(audit_admin).get(URL))


def test_the_audit_admin_reads_the_full_trail_even_when_granted_on_a_branch(cast, audit_admin):
    a = write_event(cast.committee_admin, cast.branch_a1)
    top = write_event(cast.dept_admin, cast.county)
    assert {a, top} <= set(rows(cast.client(audit_admin).get(URL)))


def test_a_county_auditor_sees_both_committees(cast):
    a = write_event(cast.committee_admin, cast.branch_a1)
    b = write_event(cast.outsider, cast.branch_b1)
    assert set(rows(cast.client(cast.auditor).get(URL))) == {a, b}


def test_events_are_newest_first_and_paginated(cast, settings):
    settings.PAGE_SIZE = 3
    start = timezone.now() - dt.timedelta(hours=1)
    events = []
    for i in range(5):
        with time_machine.travel(start + dt.timedelta(minutes=i), tick=False):
            events.append(write_event(cast.committee_admin, cast.branch_a1, name=f"第{i}次"))
    client = cast.client(cast.auditor)
    assert rows(client.get(URL)) == events[::-1][:3]
    second = client.get(URL, {"page": 2, "action": "update"})
    assert rows(second) == events[::-1][3:]
    assert "?action=update&page=1" in second.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "login"}, {"login"}),
        ({"actor_name": "COMMITTEE"}, {"update"}),
        ({"target_type": "orgs.Organization"}, {"update"}),
        ({"q": "财政局"}, {"update"}),
        ({"q": "10.9."}, {"login"}),
    ],
)
def test_filters_narrow_the_list(cast, params, expected):
    write_event(cast.committee_admin, cast.branch_a1)
    record_event(actor=cast.secretary, action=AuditEvent.Action.LOGIN, ip="10.9.8.7")
    response = cast.client(cast.auditor).get(URL, params)
    assert {e.action for e in rows(response)} == expected


def test_the_date_range_uses_whole_local_days(cast):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        march_first = write_event(cast.committee_admin, cast.branch_a1)
    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        march_second = write_event(cast.committee_admin, cast.branch_a1)
    client = cast.client(cast.auditor)
    assert rows(client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-01"})) == [march_first]
    assert rows(client.get(URL, {"date_from": "2026-03-02"})) == [march_second]


def test_the_empty_state_says_so(cast):
    assert "暂无审计记录" in cast.client(cast.auditor).get(URL).content.decode()
    filtered = cast.client(cast.auditor).get(URL, {"action": "export"}).content.decode()
    assert "没有符合条件的审计记录" in filtered


def test_the_summary_is_shown_compactly(cast):
    write_event(cast.committee_admin, cast.branch_a1, name="新名字")
    page = cast.client(cast.auditor).get(URL).content.decode()
    assert "{&quot;changed&quot;:{&quot;name&quot;:[&quot;旧&quot;,&quot;新名字&quot;]}}" in page
    assert "县财政局机关党支部" in page


def test_the_page_runs_a_constant_number_of_queries(cast):
    client = cast.client(cast.auditor)
    client.get(URL)
    write_event(cast.committee_admin, cast.branch_a1)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for org in [cast.branch_a1, cast.branch_a2, cast.branch_b1, cast.committee_b] * 5:
        write_event(cast.committee_admin, org)
        record_event(actor=cast.secretary, action=AuditEvent.Action.LOGIN)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few) <= 13  # includes the menu's one observer look-up
