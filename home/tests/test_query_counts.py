"""Every start and list page runs a fixed number of queries of its own, whatever its rows: the counts below
are the real ones (the session read included), asserted exactly and checked not to grow with the data."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from notifications.models import Message
from observers.tests.fixtures_obs import NOW, meeting_record, plan_item
from orglife.models import MeetingRecord, Rectification
from points.models import Declaration, PointRule
from points.tests.conftest import make_catalogue
from points.tests.helpers import award

_n = itertools.count()


def fill(cast, n):
    """n more of everything the secretary's pages list: records in each open state, plan items, findings,
    messages, points entries and declarations."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(n):
            i = next(_n)
            item = plan_item(cast.branch_a1, dt.date(2026, 4, 20))
            meeting_record(cast.branch_a1, dt.date(2026, 3, 10), "committee")
            for status in ("submitted", "returned", "draft"):
                record = meeting_record(cast.branch_a1, dt.date(2026, 4, 2), item=None)
                MeetingRecord.objects.filter(pk=record.pk).update(status=status)
            assert item.pk
            Rectification.objects.create(
                org=cast.branch_a1, title=f"整改{i}", deadline=dt.date(2026, 5, 1), opened_at=NOW
            )
            Message.objects.create(
                channel=Message.Channel.SITE,
                dedupe_key=f"q{i}",
                recipient=cast.secretary,
                title="组织生活提醒",
                body="本月主题党日尚未登记",
                next_attempt_at=NOW,
                created_at=NOW,
            )
            award(cast.secretary_member, "orglife_attendance", dt.date(2026, 3, 2))
            Declaration.objects.create(
                member=make_member(cast.branch_a1, f"申报{i}"),
                org=cast.branch_a1,
                rule=PointRule.objects.get(code="theory_study"),
                occurred_on=dt.date(2026, 3, 3),
                description="集中学习",
                declared_by=cast.secretary,
            )


@pytest.fixture
def pages_cast(cast):
    make_catalogue(cast.county)
    cast.secretary_member = make_member(cast.branch_a1, "书记")
    cast.secretary.member = cast.secretary_member
    cast.secretary.save()
    return cast


def count(client, path):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


# (user, page, queries): the session read is one of them; the rest are the page's own. The reference data
# (the branches with their 党小组, the rule sets, the points version in force with its blocks) is served from
# the process's memory while its version, read with the session, is unchanged (orgs.reference).
CASES = [
    # held counts, the plans with their unrecorded items, open records, findings; the messages and the points
    # panel are the side panel's (home:side, loaded by htmx)
    ("secretary", "home:dashboard", 5),
    # messages, and the points panel: the member, the ledger sums
    ("secretary", "home:side", 4),
    ("secretary", "plan_page", 4),
    ("secretary", "orglife:record_list", 4),
    # the member, the ledger sums, their own declarations, the scope's counts
    ("secretary", "points:home", 5),
    ("secretary", "orgs:member_list", 3),
    ("secretary", "points:ranking", 4),
    # kinds and categories (one UNION ALL), the 问题清单, the scope root with its children, stats with late plans
    ("dept_admin", "home:dashboard", 5),
    ("dept_admin", "points:ranking", 4),
    # the member, the ledger sums, messages (no observer look-up: the context), and 3 for the study card:
    # the videos with whether each was watched, the open quizzes with their audience (one read: no second
    # read of the campaigns, no read of their named lists or of the member's posts unless a quiz asks), the
    # member's attempts at them and today's practice (one read of the member's attempts)
    ("member_user", "home:dashboard", 7),
]


def url(cast, name):
    if name == "plan_page":
        return reverse("orglife:plan_branch", args=[cast.branch_a1.pk])
    return reverse(name)


@pytest.mark.parametrize(("who", "name", "expected"), CASES)
def test_a_page_runs_a_fixed_number_of_queries(pages_cast, who, name, expected, django_assert_num_queries):
    cast = pages_cast
    client = cast.client(getattr(cast, who))
    path = url(cast, name)
    count(client, path)  # warm-up: the first request of a session records last_seen
    fill(cast, 1)
    few, _ = count(client, path)
    fill(cast, 3)
    with django_assert_num_queries(expected):
        many, _ = count(client, path)
    assert many == few, f"{name} for {who}: {few} queries with a little data, {many} with more"


def test_the_secretary_home_still_shows_every_list(pages_cast):
    cast = pages_cast
    fill(cast, 2)
    _, response = count(cast.client(cast.secretary), reverse("home:dashboard"))
    today = response.context["rows"][0]["today"]
    assert len(today.awaiting) == len(today.returned) == len(today.drafts) == 2
    assert len(today.rectifications) == 2 and len(today.planned) == 2
    overdue = [d.label for d in today.overdue]  # March's 支委会 was held, its 主题党日 was not
    assert "支委会" not in overdue and "主题党日" in overdue
    page = response.content.decode()
    assert "待我审核" in page and "已退回，待修改" in page and "草稿，未提交" in page
    _, response = count(cast.client(cast.secretary), reverse("home:side"))
    page = response.content.decode()
    assert "本月主题党日尚未登记" in page
    file = response.context["file"]
    assert file.total == sum(b.points for b in file.blocks) > 0
    assert "我的学习积分" in page


def test_past_twenty_the_home_lists_the_twenty_nearest_findings_in_the_same_queries(pages_cast):
    cast = pages_cast
    client = cast.client(cast.secretary)
    count(client, reverse("home:dashboard"))
    Rectification.objects.bulk_create(
        Rectification(
            org=cast.branch_a1,
            title=f"整改{i}",
            deadline=dt.date(2026, 5, 1) + dt.timedelta(days=i),
            opened_at=NOW,
        )
        for i in range(25, -1, -1)  # 26 findings, the furthest deadline created first
    )
    queries, response = count(client, reverse("home:dashboard"))
    shown = response.context["rows"][0]["today"].rectifications
    assert [r.title for r in shown] == [f"整改{i}" for i in range(20)]
    assert queries == 5 + 1  # the findings ranked by the database: one more read, whatever their number
