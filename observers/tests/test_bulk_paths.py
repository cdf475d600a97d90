"""The bulk paths of the demo generator: add_observers (appoint's rules, numbered in order, no login),
add_ratings (rate_observer's rules), add_confirmed_plan (the planner's rules) and add_observations (the
evaluation form's rules) and add_sign_ups (sign_up's rules)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_member
from observers.models import AssignmentPlan, BranchRating, Candidate, EvaluationItem, Observation
from observers.services.observe import add_observations, add_sign_ups
from observers.services.planner import add_confirmed_plan
from observers.services.ratings import add_ratings
from observers.services.selection import add_observers, letter_number
from observers.tests.fixtures_obs import confirmed_plan, observation, plan_item
from observers.tests.selection_fixtures import all_agree, candidate

DAY = dt.date(2026, 3, 1)
HALF = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 5, 1)


def test_the_system_appoints_reviewed_candidates_in_order_without_logins(cast):
    first, second = candidate(cast), candidate(cast, make_member(cast.branch_a1, "李四"))
    all_agree(cast, first)
    all_agree(cast, second)
    observers = add_observers(actor=None, candidates=[first, second], appointed_on=DAY)
    assert [o.letter_number for o in observers] == [letter_number(2026, 1), letter_number(2026, 2)]
    assert all(o.user_id is None for o in observers)
    assert set(Candidate.objects.values_list("status", flat=True)) == {Candidate.Status.APPOINTED}


def test_a_candidate_still_under_review_is_refused(cast):
    with pytest.raises(ValidationError, match="尚有审查单位未出具意见"):
        add_observers(actor=None, candidates=[candidate(cast)], appointed_on=DAY)


def test_an_actor_must_write_in_the_committee(cast):
    cand = candidate(cast)
    all_agree(cast, cand)
    with pytest.raises(PermissionDenied):
        add_observers(actor=cast.member_user, candidates=[cand], appointed_on=DAY)


def test_ratings_need_a_submitted_form_and_one_rating_each(cast):
    cand = candidate(cast)
    all_agree(cast, cand)
    (obs,) = add_observers(actor=None, candidates=[cand], appointed_on=DAY)
    signed_up = observation(obs, cast.branch_b1, DAY, status=Observation.Status.SIGNED_UP)
    with pytest.raises(ValidationError, match="提交评价表后"):
        add_ratings(actor=None, rows=[BranchRating(observation=signed_up, score=5)])
    submitted = observation(obs, cast.branch_b1, DAY, status=Observation.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="已评价过"):
        add_ratings(actor=None, rows=[BranchRating(observation=submitted, score=5)] * 2)
    assert len(add_ratings(actor=None, rows=[BranchRating(observation=submitted, score=4)])) == 1


def _observer(cast):
    cand = candidate(cast)
    all_agree(cast, cand)
    (obs,) = add_observers(actor=None, candidates=[cand], appointed_on=DAY)
    return obs


def test_a_confirmed_plan_keeps_the_planner_rules(cast):
    obs = _observer(cast)
    with pytest.raises(ValidationError, match="本人所在支部"):
        add_confirmed_plan(
            actor=None,
            scope=cast.committee_a,
            half_start=HALF,
            seed=1,
            assignments={cast.branch_a1.pk: obs.pk},
        )
    with pytest.raises(ValidationError, match="半年起始月"):
        add_confirmed_plan(actor=None, scope=cast.committee_a, half_start=DAY, seed=1, assignments={})


def test_a_confirmed_plan_covers_every_branch(cast):
    with pytest.raises(ValidationError, match="未安排观察员"):
        add_confirmed_plan(actor=None, scope=cast.committee_a, half_start=HALF, seed=1, assignments={})
    assert not AssignmentPlan.objects.exists()


def _form(obs, branch, **extra):
    scores = {i.pk: i.max_score for i in EvaluationItem.objects.filter(is_active=True)}
    return Observation(
        observer=obs, branch=branch, kind="designated", observed_on=DAY, scores=scores, grade="good", **extra
    )


def test_forms_are_written_for_assigned_branches_only(cast):
    obs = _observer(cast)
    with pytest.raises(PermissionDenied, match="观察范围"):
        add_observations(actor=None, rows=[_form(obs, cast.branch_b1)], today=TODAY)
    confirmed_plan(cast.committee_a, HALF, [(obs, cast.branch_b1)])
    (written,) = add_observations(actor=None, rows=[_form(obs, cast.branch_b1)], today=TODAY)
    assert written.status == Observation.Status.SUBMITTED and written.total == sum(written.scores.values())


def test_a_form_keeps_the_evaluation_rules(cast):
    obs = _observer(cast)
    confirmed_plan(cast.committee_a, HALF, [(obs, cast.branch_b1)])
    incomplete = _form(obs, cast.branch_b1)
    incomplete.scores = {}
    with pytest.raises(ValidationError, match="请为"):
        add_observations(actor=None, rows=[incomplete], today=TODAY)
    with pytest.raises(ValidationError, match="尚未召开"):
        add_observations(actor=None, rows=[_form(obs, cast.branch_b1)], today=DAY - dt.timedelta(days=1))


def test_sign_ups_keep_sign_up_rules(cast):
    obs = _observer(cast)
    item = plan_item(cast.branch_b1, DAY)
    with pytest.raises(PermissionDenied, match="观察范围"):
        add_sign_ups(
            actor=None, rows=[Observation(observer=obs, plan_item=item, kind="designated")], today=DAY
        )
    confirmed_plan(cast.committee_a, HALF, [(obs, cast.branch_b1)])
    with pytest.raises(ValidationError, match="计划日期已过"):
        add_sign_ups(
            actor=None,
            rows=[Observation(observer=obs, plan_item=item, kind="designated")],
            today=DAY + dt.timedelta(days=1),
        )
    twice = [Observation(observer=obs, plan_item=item, kind="designated") for _ in range(2)]
    with pytest.raises(ValidationError, match="已报名"):
        add_sign_ups(actor=None, rows=twice, today=DAY)
    (row,) = add_sign_ups(actor=None, rows=twice[:1], today=DAY)
    assert (row.status, row.branch, row.observed_on) == (Observation.Status.SIGNED_UP, cast.branch_b1, DAY)
