"""Half-year coverage flags: branches with no observation this half-year, for the committee and the observer."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_org
from notifications.models import Message
from observers.services import coverage
from observers.services import observe as svc
from observers.tests.fixtures_obs import HALF, NOW, at, build_world, observation


@pytest.fixture
def world(cast):
    return build_world(cast)


def names(qs):
    return sorted(o.name for o in qs)


def test_every_branch_is_unobserved_before_any_observation(world):
    assert names(coverage.unobserved_branches(world.county, HALF)) == names(
        [world.branch_a1, world.branch_a2, world.branch_b1]
    )


def test_a_submitted_observation_this_half_year_clears_the_flag(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    assert names(coverage.unobserved_branches(world.committee_a, HALF)) == [world.branch_a2.name]


def test_sign_ups_and_cancelled_observations_do_not_count(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10), status="signed_up")
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 11), status="cancelled")
    assert world.branch_a1 in coverage.unobserved_branches(world.committee_a, HALF)


def test_an_observation_of_another_half_year_does_not_count(world):
    observation(world.observer_a, world.branch_a1, dt.date(2025, 12, 20))
    observation(world.observer_a, world.branch_a2, dt.date(2026, 7, 1))
    assert names(coverage.unobserved_branches(world.committee_a, HALF)) == names(
        [world.branch_a1, world.branch_a2]
    )
    assert names(coverage.unobserved_branches(world.committee_a, dt.date(2026, 7, 1))) == [
        world.branch_a1.name
    ]


def test_the_committee_coverage_counts_per_committee(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    rows = {c.committee: c for c in coverage.committee_coverage(world.county, HALF)}
    a, b = rows[world.committee_a], rows[world.committee_b]
    assert (a.branches, a.observed, a.unobserved, a.rate) == (2, 1, 1, 50.0)
    assert (b.branches, b.observed, b.unobserved) == (1, 0, 1)


def test_the_observer_progress_counts_assigned_branches_observed(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    observation(world.observer_b, world.branch_b1, dt.date(2026, 4, 20), status="signed_up")
    progress = {p.observer: p for p in coverage.observer_progress(world.county, HALF)}
    a, b = progress[world.observer_a], progress[world.observer_b]
    assert (a.assigned, a.observed, a.forms, a.pending) == (1, 1, 1, 0)
    assert (b.assigned, b.observed, b.signed_up, b.pending) == (1, 0, 1, 1)


def test_my_branches_flags_a_branch_the_observer_has_not_observed(world):
    with at(NOW.date()):
        (row,) = svc.my_branches(world.observer_a)
        assert row.branch == world.branch_a1 and not row.observed and row.upcoming == 1
        page = world.client(world.observer_a.user).get(reverse("observers:observe_branches"))
    assert page.status_code == 200 and "本半年尚未观察" in page.text and page.context["unobserved"] == 1


def test_my_branches_shows_the_observed_date_once_observed(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    with at(NOW.date()):
        (row,) = svc.my_branches(world.observer_a)
        page = world.client(world.observer_a.user).get(reverse("observers:observe_branches"))
    assert row.observed_on == dt.date(2026, 3, 10)
    assert page.context["unobserved"] == 0 and "已观察" in page.text


def test_the_committee_page_lists_the_unobserved_branches(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    url = reverse("observers:observe_coverage") + f"?half=2026-01&committee={world.committee_a.pk}"
    with at(NOW.date()):
        page = world.client(world.committee_admin).get(url)
    assert page.status_code == 200
    assert [b.name for b in page.context["unobserved"]] == [world.branch_a2.name]
    assert page.context["root"] == world.committee_a


def test_the_notices_go_to_the_observer_and_the_committee_admin_once_a_week(world):
    with at(NOW.date()):
        call_command("observers_coverage_notices")
        call_command("observers_coverage_notices")
    mine = Message.objects.filter(recipient=world.observer_a.user)
    assert mine.count() == 1 and world.branch_a1.display_name in mine.get().body
    admin = Message.objects.get(recipient=world.committee_admin)
    assert "尚有 2 个支部" in admin.body
    with at(NOW.date() + dt.timedelta(days=7)):
        coverage.send_coverage_notices()
    assert Message.objects.filter(recipient=world.observer_a.user).count() == 2


def test_no_notice_for_an_observed_branch(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    with at(NOW.date()):
        coverage.send_coverage_notices()
    assert not Message.objects.filter(recipient=world.observer_a.user).exists()


def _coverage_page(world, query=""):
    client = world.client(world.dept_admin)
    url = reverse("observers:observe_coverage") + query
    with at(NOW.date()):
        client.get(url)  # the first request of a session builds its access context
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
    assert page.status_code == 200
    return len(ctx.captured_queries), page


def test_the_coverage_page_counts_every_committee_in_the_same_queries(world):
    observation(world.observer_a, world.branch_a1, dt.date(2026, 3, 10))
    few, page = _coverage_page(world)
    rows = {c.committee.name: (c.branches, c.observed) for c in page.context["committees"]}
    assert rows[world.committee_a.name] == (2, 1) and rows[world.committee_b.name] == (1, 0)
    assert page.context["unobserved"].paginator.count == 2
    assert names(page.context["unobserved"]) == names([world.branch_a2, world.branch_b1])
    for i in range(3):  # three more committees, each with two branches nobody has observed
        committee = make_org(world.county, f"新增党委{i}", "committee", f"CX{i}")
        for j in range(2):
            make_org(committee, f"新增党委{i}第{j}支部", "branch", f"CX{i}{j}")
    many, page = _coverage_page(world)
    # the session (the root and its committees are the tree's, kept in memory: orgs.reference), the
    # committees' counts, the assignments with whether each was observed, the observers with their forms and
    # sign-ups, the page
    assert many == few == 5
    assert len(page.context["committees"]) == 5 and page.context["unobserved"].paginator.count == 8
    assert page.context["unobserved_total"] == 8 and page.context["observed"] == 1


def test_the_coverage_page_of_one_committee_lists_its_unobserved_branches(world):
    _, page = _coverage_page(world, f"?committee={world.committee_a.pk}")
    assert page.context["unobserved"].paginator.count == 2
    assert names(page.context["unobserved"]) == names([world.branch_a1, world.branch_a2])
    _, page = _coverage_page(world, f"?committee={world.branch_a1.pk}")  # not a listed committee: counted
    assert names(page.context["unobserved"]) == [world.branch_a1.name]
