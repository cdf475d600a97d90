"""Plans in the database: proposal for a committee or the county, cross pairs, moves, confirmation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from conftest import make_member, make_org
from observers.models import Assignment, AssignmentPlan
from observers.services.planner import confirm_plan, move_branch, propose_plan, summarize
from observers.tests.selection_fixtures import observer
from orgs.models import Organization

H1 = dt.date(2026, 1, 1)


@pytest.fixture
def world(cast):
    cast.o_a1 = observer(cast, make_member(cast.group_a1, "孙立"))  # in a 党小组 of branch_a1
    cast.o_a2 = observer(cast, make_member(cast.branch_a2, "钱敏"))
    cast.o_b1 = observer(cast, make_member(cast.branch_b1, "周强"), committee=cast.committee_b)
    cast.branch_b2 = make_org(
        cast.committee_b, "示范化工厂党支部", "branch", "B0004", unit_category="enterprise"
    )
    return cast


def pairs(plan):
    return {(a.observer_id, a.branch_id, a.is_cross) for a in plan.assignments.all()}


def test_a_committee_plan_covers_its_branches_without_own_units(world):
    plan = propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=H1)
    assert pairs(plan) == {
        (world.o_a1.pk, world.branch_a2.pk, False),
        (world.o_a2.pk, world.branch_a1.pk, False),
    }
    summary = summarize(plan)
    assert summary.uncovered == [] and (summary.load_min, summary.load_max) == (1, 1)
    assert AuditEvent.objects.filter(target_type="observers.AssignmentPlan", action="create").exists()


def test_cross_observation_pairs_the_two_committees(world):
    plan = propose_plan(
        actor=world.dept_admin,
        scope=world.county,
        half_start=H1,
        cross_pairs=[[world.committee_a.pk, world.committee_b.pk]],
    )
    rows = pairs(plan)
    a_observers = {world.o_a1.pk, world.o_a2.pk}
    for o, b, cross in rows:
        branch = Organization.objects.get(pk=b)
        assert cross and (o in a_observers) == branch.path.startswith(world.committee_b.path)
    assert {b for _, b, _ in rows} == {
        world.branch_a1.pk,
        world.branch_a2.pk,
        world.branch_b1.pk,
        world.branch_b2.pk,
    }


def test_the_same_seed_reproduces_the_plan(world):
    first = pairs(propose_plan(actor=world.dept_admin, scope=world.county, half_start=H1, seed=9))
    again = pairs(propose_plan(actor=world.dept_admin, scope=world.county, half_start=H1, seed=9))
    assert first == again


def test_moving_a_branch_to_its_own_member_is_refused(world):
    plan = propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=H1)
    with pytest.raises(ValidationError, match="本人所在支部"):
        move_branch(actor=world.committee_admin, plan=plan, branch=world.branch_a1, observer=world.o_a1)


def test_an_uncovered_branch_blocks_confirmation_until_it_is_given(world):
    extra = make_org(world.committee_a, "县审计局机关党支部", "branch", "B0009")
    plan = propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=H1)
    assert extra.pk in {a.branch_id for a in plan.assignments.all()}  # the planner already covers it
    Assignment.objects.filter(plan=plan, branch=extra).delete()
    with pytest.raises(ValidationError, match="未安排观察员"):
        confirm_plan(actor=world.committee_admin, plan=plan)
    move_branch(actor=world.committee_admin, plan=plan, branch=extra, observer=world.o_a1)
    confirm_plan(actor=world.committee_admin, plan=plan)
    assert AssignmentPlan.objects.get(pk=plan.pk).status == AssignmentPlan.Status.CONFIRMED


def test_a_confirmed_plan_is_not_regenerated_and_overlapping_scopes_are_refused(world):
    plan = propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=H1)
    confirm_plan(actor=world.committee_admin, plan=plan)
    with pytest.raises(ValidationError, match="已确认"):
        propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=H1)
    with pytest.raises(ValidationError, match="范围重叠"):
        propose_plan(actor=world.dept_admin, scope=world.county, half_start=H1)


def test_half_years_start_in_january_or_july(world):
    with pytest.raises(ValidationError):
        propose_plan(actor=world.committee_admin, scope=world.committee_a, half_start=dt.date(2026, 3, 1))
