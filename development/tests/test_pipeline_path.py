"""The whole path through the services: application to full member, with the roster member created and
converted through orgs' services."""

import datetime as dt

import pytest
import time_machine

from development.models import Stage, Vote
from development.services import pipeline as svc
from development.tests.fixtures_dev import NOW, WHY, applicant, probationary, vote_on
from orgs.models import Member


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@time_machine.travel(NOW)
def test_an_applicant_becomes_a_full_member_with_nothing_retyped(cast):
    person = probationary(cast, applicant(cast))
    assert person.stage == Stage.PROBATIONARY
    member = person.member
    assert member is not None and member.category == Member.Category.PROBATIONARY
    assert member.joined_on == dt.date(2026, 12, 5)  # D-14: 入党时间 is the resolution date
    assert member.id_number_hash == person.id_number_hash and member.phone_masked == person.phone_masked
    assert person.probation_ends_on == dt.date(2027, 12, 5)  # D-15
    assert person.dues_from == dt.date(2026, 12, 5)  # D-20
    vote_on(cast, person, dt.date(2027, 12, 6))
    svc.approve_conversion(
        actor=cast.committee_admin, person=person, approved_on=dt.date(2028, 1, 10), backdate_reason=WHY
    )
    person.refresh_from_db()
    member.refresh_from_db()
    assert person.stage == Stage.FULL and person.full_member_on == dt.date(2027, 12, 5)  # D-18
    assert member.category == Member.Category.FULL and member.full_member_on == dt.date(2027, 12, 5)
    assert [s.action for s in person.steps.all()][-1] == "党委审批按期转正"


@time_machine.travel(NOW)
def test_extension_once_then_conversion_counts_standing_from_the_extension_end(cast):
    person = probationary(cast, applicant(cast))
    vote_on(cast, person, dt.date(2027, 12, 6), kind=Vote.Kind.EXTENSION, extension_months=6)
    svc.approve_conversion(
        actor=cast.committee_admin, person=person, approved_on=dt.date(2027, 12, 20), backdate_reason=WHY
    )
    person.refresh_from_db()
    assert person.extended_months == 6 and person.probation_ends_on == dt.date(2028, 6, 5)
    with pytest.raises(Exception, match="D-16：预备期只能延长一次"):
        vote_on(cast, person, dt.date(2028, 1, 8), kind=Vote.Kind.EXTENSION, extension_months=6)


@time_machine.travel(NOW)
def test_cancellation_of_a_probationary_member_removes_them_from_the_roster(cast):
    person = probationary(cast, applicant(cast))
    vote_on(cast, person, dt.date(2027, 6, 6), kind=Vote.Kind.CANCEL)
    svc.approve_conversion(
        actor=cast.committee_admin, person=person, approved_on=dt.date(2027, 7, 1), backdate_reason=WHY
    )
    person.refresh_from_db()
    assert person.stage == Stage.CANCELLED and person.member.status == Member.Status.LEFT


@time_machine.travel(NOW)
def test_an_applicant_can_be_withdrawn_with_a_reason(cast):
    person = applicant(cast)
    with pytest.raises(Exception, match="请说明终止原因"):
        svc.end_development(actor=cast.secretary, person=person, on=dt.date(2028, 1, 19), reason="")
    svc.end_development(actor=cast.secretary, person=person, on=dt.date(2028, 1, 19), reason="本人撤回申请")
    person.refresh_from_db()
    assert person.stage == Stage.CANCELLED
