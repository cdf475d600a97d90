"""The reference data a page serves from the process's memory (orgs.reference: the branches and 党小组 a
secretary keeps, the rule sets, the points version in force with its blocks, the observers' coverage root and
committees) is fresh on the very next request after a write, in this process or another one (the version is
read from the database with the session); and it really is served from memory while nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_org
from home.tests.test_query_counts import pages_cast  # noqa: F401  (the fixture)
from observers.tests.fixtures_obs import NOW
from orglife.models import MeetingRule
from orglife.rules import ruleset_for, rulesets_for
from points.models import Block

pytestmark = pytest.mark.django_db


def get(client, name):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def overdue(response):
    return [d.label for d in response.context["rows"][0]["today"].overdue]


def due(response):
    return [d.label for d in response.context["rows"][0]["today"].due]


def another_process_bumps():
    """What another process's write leaves in the shared database: a new token (orgs.reference.bump)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orgs_referenceversion SET token = token + 1")


def test_a_rule_deleted_is_gone_from_the_secretary_home_at_once(pages_cast):  # noqa: F811
    client = pages_cast.client(pages_cast.secretary)
    get(client, "home:dashboard")
    first, queries = get(client, "home:dashboard")
    assert "主题党日" in overdue(first)
    with time_machine.travel(NOW, tick=False):
        ruleset = ruleset_for(NOW.date())
    MeetingRule.objects.get(ruleset=ruleset, meeting_type="theme_day").delete()  # bumps the version
    after, queries_after = get(client, "home:dashboard")
    assert "主题党日" not in overdue(after)
    assert queries_after == queries + 2  # the branches and the rule sets read again
    _, queries_again = get(client, "home:dashboard")
    assert queries_again == queries


def test_a_write_of_another_process_is_seen_on_the_next_request(pages_cast):  # noqa: F811
    client = pages_cast.client(pages_cast.secretary)
    get(client, "home:dashboard")
    with time_machine.travel(NOW, tick=False):
        ruleset = ruleset_for(NOW.date())
    # A write that sends no signal here (as one made in another process): this process keeps its copy...
    MeetingRule.objects.filter(ruleset=ruleset, meeting_type="theme_day").update(min_count=0)
    kept, _ = get(client, "home:dashboard")
    assert "主题党日" in overdue(kept)
    # ...until the other process's bump reaches the database: then the very next request reads it again.
    another_process_bumps()
    fresh, _ = get(client, "home:dashboard")
    assert "主题党日" not in overdue(fresh)


def test_a_new_party_group_shows_on_the_secretary_home_at_once(pages_cast):  # noqa: F811
    client = pages_cast.client(pages_cast.secretary)
    get(client, "home:dashboard")
    before, _ = get(client, "home:dashboard")
    assert not any("新建党小组" in label for label in due(before) + overdue(before))
    make_org(pages_cast.branch_a1, "新建党小组", "group", "GNEW")
    after, _ = get(client, "home:dashboard")
    assert any("新建党小组" in label for label in due(after) + overdue(after))


def test_a_renamed_points_block_shows_on_the_points_panel_at_once(pages_cast):  # noqa: F811
    client = pages_cast.client(pages_cast.secretary)
    get(client, "home:side")
    before, _ = get(client, "home:side")
    names = [b.name for b in before.context["file"].blocks]
    block = Block.objects.get(version__catalogue__org=pages_cast.county, name=names[0])
    block.name = "改名后的板块"
    block.save()
    after, _ = get(client, "home:side")
    assert [b.name for b in after.context["file"].blocks][0] == "改名后的板块"
    assert "改名后的板块" in after.content.decode()


def test_a_new_committee_shows_on_the_coverage_page_at_once(pages_cast):  # noqa: F811
    client = pages_cast.client(pages_cast.dept_admin)
    get(client, "observers:observe_coverage")
    before, _ = get(client, "observers:observe_coverage")
    committees = {c.committee.name for c in before.context["committees"]}
    make_org(pages_cast.county, "新设党委", "committee", "CNEW")
    after, _ = get(client, "observers:observe_coverage")
    assert {c.committee.name for c in after.context["committees"]} == committees | {"新设党委"}


def test_outside_a_request_nothing_is_kept(pages_cast):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        ruleset = ruleset_for(NOW.date())
        MeetingRule.objects.filter(ruleset=ruleset, meeting_type="theme_day").update(min_count=7)
        again = ruleset_for(dt.date(NOW.year, NOW.month, 1))
    assert {r.meeting_type: r.min_count for r in again.rules.all()}["theme_day"] == 7


def test_a_request_that_writes_reads_its_own_write(pages_cast):  # noqa: F811
    """The token read with the session is the old one once the request itself writes: it loads from then on."""
    from orgs import reference

    month = dt.date(NOW.year, NOW.month, 1)
    reference.use(12345)
    ruleset = rulesets_for([month])[month]  # kept under the request's token, with its rules
    assert "theme_day" in {r.meeting_type for r in rulesets_for([month])[month].rules.all()}
    MeetingRule.objects.get(ruleset=ruleset, meeting_type="theme_day").delete()
    assert reference.current() is None
    assert "theme_day" not in {r.meeting_type for r in rulesets_for([month])[month].rules.all()}
    reference.use(None)
