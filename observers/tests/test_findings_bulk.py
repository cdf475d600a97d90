"""The findings' bulk path (history imports, the demo): the evaluation form's finding rules for a whole
batch, as of the day each form was submitted, and the same effects as submit_evaluation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from observers.models import Observation
from observers.services import observe as svc
from observers.services.roster import link_account
from observers.tests.test_observe_findings import full_marks, signed, submit, world  # noqa: F401
from orglife.models import CompletionStat, RecordEvent, Rectification


@pytest.fixture
def plain(signed):  # noqa: F811
    """The form submitted with no finding, the day after the meeting."""
    submit(signed, record=signed.record)
    signed.obs.refresh_from_db()
    return signed


def test_a_past_rehold_stops_the_record_counting_dated_at_the_submission(plain):
    stat = CompletionStat.objects.get(
        org=plain.branch_a1, month=dt.date(2026, 4, 1), meeting_type="theme_day"
    )
    assert stat.credited == 1
    finding = svc.PastFinding(plain.obs, Observation.Finding.REHOLD, "走过场", "会议未按计划主题召开")
    svc.add_findings(actor=None, findings=[finding])
    plain.record.refresh_from_db()
    plain.obs.refresh_from_db()
    assert plain.record.counts is False and plain.obs.finding == "rehold"
    event = RecordEvent.objects.get(record=plain.record, action="observer_rehold")
    assert event.reason == "会议未按计划主题召开" and event.created_at == plain.obs.submitted_at
    stat.refresh_from_db()
    assert stat.credited == 0


def test_a_past_correction_opens_its_rectification_closed_when_reported_back(plain):
    closed_at = plain.obs.submitted_at + dt.timedelta(days=10)
    finding = svc.PastFinding(
        plain.obs,
        Observation.Finding.CORRECTION,
        "会前未征求意见\n记录不全",
        deadline=plain.obs.observed_on + dt.timedelta(days=30),
        evidence="已整改",
        closed_at=closed_at,
    )
    svc.add_findings(actor=None, findings=[finding])
    plain.obs.refresh_from_db()
    rect = plain.obs.rectification
    assert (rect.source, rect.status, rect.closed_at) == (Rectification.Source.OBSERVER, "closed", closed_at)
    assert [i.text for i in rect.items.order_by("pk")] == ["会前未征求意见", "记录不全"]
    assert all(i.done for i in rect.items.all())


def test_the_whole_batch_is_refused_when_one_finding_breaks_a_rule(plain):
    no_deadline = svc.PastFinding(plain.obs, Observation.Finding.CORRECTION, "记录不全")
    with pytest.raises(ValidationError) as exc:
        svc.add_findings(actor=None, findings=[no_deadline])
    assert "整改期限" in " ".join(exc.value.messages)
    plain.obs.refresh_from_db()
    assert plain.obs.finding == "none" and not Rectification.objects.exists()


def test_a_form_that_already_has_a_finding_is_not_given_another(plain):
    svc.add_findings(actor=None, findings=[svc.PastFinding(plain.obs, "reminder", "记录不全", "已提醒")])
    with pytest.raises(ValidationError, match="尚无处理意见"):
        svc.add_findings(actor=None, findings=[svc.PastFinding(plain.obs, "reminder", "又一次", "再提醒")])
    assert RecordEvent.objects.filter(record=plain.record, action="observer_reminder").count() == 1


def test_only_the_observer_in_post_may_record_findings_in_bulk(plain):
    with pytest.raises(PermissionDenied):
        svc.add_findings(
            actor=plain.observer_b.user, findings=[svc.PastFinding(plain.obs, "reminder", "记录不全", "")]
        )


def test_a_login_is_linked_once_and_never_to_a_second_observer(world):  # noqa: F811
    a, b = world.observer_a, world.observer_b
    user = a.user
    a.user = None
    a.save(update_fields=["user"])
    with pytest.raises(ValidationError, match="其他观察员"):
        link_account(actor=None, observer=a, user=b.user)
    linked = link_account(actor=None, observer=a, user=user)
    assert linked.user == user
    assert link_account(actor=None, observer=a, user=user).user == user  # a second run changes nothing
