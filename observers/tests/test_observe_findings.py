"""Sign-up, the evaluation form and each finding: 现场提醒 recorded, 责令纠正 opens a rectification,
要求重新召开 makes the record stop counting; and the branch's rating of the observer."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from observers.models import BranchRating, EvaluationItem, Observation, Observer
from observers.services import observe as svc
from observers.services import ratings
from observers.tests.fixtures_obs import (
    HALF,
    MEETING_DAY,
    NOW,
    at,
    build_world,
    confirmed_plan,
    meeting_record,
    plan_item,
)
from orglife.models import CompletionStat, RecordEvent, Rectification

AFTER = MEETING_DAY + dt.timedelta(days=1)


@pytest.fixture
def world(cast):
    return build_world(cast)


def full_marks() -> dict[int, int]:
    return {i.pk: i.max_score for i in EvaluationItem.objects.filter(is_active=True)}


@pytest.fixture
def signed(world):
    """observer_a signed up for branch_a1's 主题党日; the meeting was held and recorded; it is the day after."""
    with at(NOW.date()):
        world.obs = svc.sign_up(
            actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="designated"
        )
    world.record = meeting_record(world.branch_a1, MEETING_DAY, item=world.item_a1)
    with at(AFTER):
        yield world


def submit(world, **extra):
    data = svc.EvaluationData(**{"scores": full_marks(), "grade": "excellent", **extra})
    return svc.submit_evaluation(actor=world.observer_a.user, observation=world.obs, data=data)


def test_the_default_form_has_six_items_worth_100_points(db):
    items = EvaluationItem.objects.filter(is_active=True)
    assert items.count() == 6 and sum(i.max_score for i in items) == 100


def test_signing_up_creates_an_observation_of_the_planned_meeting(signed):
    obs = signed.obs
    assert (obs.status, obs.kind, obs.plan_item, obs.branch, obs.observed_on, obs.meeting_type) == (
        "signed_up",
        "designated",
        signed.item_a1,
        signed.branch_a1,
        MEETING_DAY,
        "theme_day",
    )
    assert AuditEvent.objects.filter(target_type="observers.Observation", target_id=str(obs.pk)).exists()


def test_signing_up_twice_for_the_same_meeting_is_refused(world):
    with at(NOW.date()):
        svc.sign_up(
            actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="random"
        )
        with pytest.raises(ValidationError):
            svc.sign_up(
                actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="key"
            )


def test_an_observer_cannot_sign_up_for_a_branch_not_assigned_to_them(world):
    with at(NOW.date()), pytest.raises(PermissionDenied):
        svc.sign_up(
            actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_b1, kind="random"
        )


def test_only_the_observer_in_post_signs_up(world):
    with at(NOW.date()):
        with pytest.raises(PermissionDenied):
            svc.sign_up(
                actor=world.secretary, observer=world.observer_a, plan_item=world.item_a1, kind="random"
            )
        Observer.objects.filter(pk=world.observer_a.pk).update(status="suspended")
        world.observer_a.refresh_from_db()
        with pytest.raises(PermissionDenied):
            svc.sign_up(
                actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="key"
            )


def test_past_or_unapproved_meetings_cannot_be_signed_up_for(world):
    past = plan_item(world.branch_a1, dt.date(2026, 4, 2))
    draft = plan_item(world.branch_a1, dt.date(2026, 5, 10), status="submitted")
    with at(NOW.date()):
        for item in (past, draft):
            with pytest.raises(ValidationError):
                svc.sign_up(
                    actor=world.observer_a.user, observer=world.observer_a, plan_item=item, kind="key"
                )


def test_a_cross_assignment_makes_a_random_observation_a_cross_one(world):
    confirmed_plan(world.county, HALF, [(world.observer_b, world.branch_a1)], cross=True)
    with at(NOW.date()):
        obs = svc.sign_up(
            actor=world.observer_b.user, observer=world.observer_b, plan_item=world.item_a1, kind="random"
        )
    assert obs.kind == "cross"


def test_the_form_computes_the_total_and_links_the_record(signed):
    scores = full_marks()
    first = next(iter(scores))
    scores[first] -= 5
    obs = submit(signed, scores=scores, grade="good", record=signed.record)
    assert (obs.status, obs.total, obs.grade, obs.record, obs.finding) == (
        "submitted",
        95,
        "good",
        signed.record,
        "none",
    )
    assert obs.scores[str(first)] == scores[first] and obs.submitted_at is not None


def test_a_score_above_the_items_maximum_is_refused(signed):
    scores = full_marks()
    scores[next(iter(scores))] += 1
    with pytest.raises(ValidationError) as exc:
        submit(signed, scores=scores)
    assert any(k.startswith("score_") for k in exc.value.message_dict)


def test_every_item_must_be_scored(signed):
    scores = full_marks()
    scores.pop(next(iter(scores)))
    with pytest.raises(ValidationError):
        submit(signed, scores=scores)


def test_the_form_cannot_be_filled_before_the_meeting_or_twice(world):
    with at(NOW.date()):
        world.obs = svc.sign_up(
            actor=world.observer_a.user, observer=world.observer_a, plan_item=world.item_a1, kind="designated"
        )
        with pytest.raises(ValidationError):
            submit(world)
    with at(AFTER):
        submit(world)
        with pytest.raises(ValidationError):
            submit(world)


def test_the_record_choices_are_the_branchs_records_of_that_month_same_day_first(signed):
    other_day = meeting_record(signed.branch_a1, dt.date(2026, 4, 3), "committee")
    meeting_record(signed.branch_a2, MEETING_DAY)  # another branch: never offered
    assert list(svc.candidate_records(signed.obs)) == [signed.record, other_day]
    assert svc.default_record(signed.obs) == signed.record


def test_a_reminder_is_recorded_on_the_observation_and_the_record(signed):
    obs = submit(
        signed,
        grade="fair",
        problems="签到表不全",
        finding="reminder",
        finding_note="已现场提醒补齐签到",
        record=signed.record,
    )
    assert (obs.finding, obs.finding_note, obs.rectification) == ("reminder", "已现场提醒补齐签到", None)
    event = RecordEvent.objects.get(record=signed.record, action="observer_reminder")
    assert event.reason == "已现场提醒补齐签到" and event.payload == {"observation": obs.pk}
    signed.record.refresh_from_db()
    assert signed.record.counts is True


def test_a_finding_needs_the_problems_found(signed):
    with pytest.raises(ValidationError) as exc:
        submit(signed, finding="reminder")
    assert "problems" in exc.value.message_dict


def test_a_correction_opens_a_rectification_from_the_observer(signed):
    obs = submit(
        signed,
        grade="fair",
        problems="会前未征求党员意见\n会议记录过于简单",
        finding="correction",
        record=signed.record,
        deadline=dt.date(2026, 5, 15),
    )
    rect = Rectification.objects.get(pk=obs.rectification_id)
    assert (rect.source, rect.org, rect.record, rect.deadline, rect.status, rect.opened_by) == (
        "observer",
        signed.branch_a1,
        signed.record,
        dt.date(2026, 5, 15),
        "open",
        signed.observer_a.user,
    )
    assert [i.text for i in rect.items.all()] == ["会前未征求党员意见", "会议记录过于简单"]
    assert RecordEvent.objects.filter(record=signed.record, action="observer_rectification").exists()


def test_a_correction_needs_a_deadline_not_in_the_past(signed):
    with pytest.raises(ValidationError) as exc:
        submit(signed, problems="记录不全", finding="correction", deadline=dt.date(2026, 4, 1))
    assert "deadline" in exc.value.message_dict
    assert not Rectification.objects.exists()


def test_a_rehold_stops_the_record_counting_and_the_completion_drops(signed):
    stat = CompletionStat.objects.get(
        org=signed.branch_a1, month=dt.date(2026, 4, 1), meeting_type="theme_day"
    )
    assert stat.credited == 1
    obs = submit(
        signed,
        grade="poor",
        problems="未按主题召开，走过场",
        finding="rehold",
        finding_note="会议未按计划主题召开",
        record=signed.record,
    )
    signed.record.refresh_from_db()
    assert signed.record.counts is False and obs.finding == "rehold"
    event = RecordEvent.objects.get(record=signed.record, action="observer_rehold")
    assert event.reason == "会议未按计划主题召开" and event.actor == signed.observer_a.user
    stat.refresh_from_db()
    assert stat.credited == 0


def test_a_rehold_needs_the_meeting_record(signed):
    with pytest.raises(ValidationError) as exc:
        submit(signed, problems="走过场", finding="rehold")
    assert "record" in exc.value.message_dict


def test_another_branchs_record_cannot_be_linked(signed):
    foreign = meeting_record(signed.branch_a2, MEETING_DAY)
    with pytest.raises(ValidationError):
        submit(signed, record=foreign)


# ---------------------------------------------------------------- the branch rates the observer


@pytest.fixture
def submitted(signed):
    submit(signed, record=signed.record)
    signed.obs.refresh_from_db()
    return signed


def test_the_branch_secretary_rates_the_observer_once(submitted):
    rating = ratings.rate_observer(
        actor=submitted.secretary, observation=submitted.obs, score=5, comment="认真负责"
    )
    assert (rating.score, rating.comment, rating.rated_by) == (5, "认真负责", submitted.secretary)
    with pytest.raises(ValidationError):
        ratings.rate_observer(actor=submitted.secretary, observation=submitted.obs, score=4)


@pytest.mark.parametrize("score", [0, 6])
def test_a_rating_is_between_1_and_5(submitted, score):
    with pytest.raises(ValidationError):
        ratings.rate_observer(actor=submitted.secretary, observation=submitted.obs, score=score)


def test_only_the_branch_rates_its_observer(submitted):
    for user in (submitted.committee_admin, submitted.viewer, submitted.outsider, submitted.observer_a.user):
        with pytest.raises(PermissionDenied):
            ratings.rate_observer(actor=user, observation=submitted.obs, score=3)
    assert not BranchRating.objects.exists()


def test_an_observation_without_a_form_cannot_be_rated(signed):
    with pytest.raises(ValidationError):
        ratings.rate_observer(actor=signed.secretary, observation=signed.obs, score=5)


def test_cancelling_a_sign_up(signed):
    svc.cancel_sign_up(actor=signed.observer_a.user, observation=signed.obs)
    signed.obs.refresh_from_db()
    assert signed.obs.status == Observation.Status.CANCELLED
