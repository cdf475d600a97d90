"""One test per rule at its edge: the day before, the day of, the day after (RULES.md §4)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from conftest import make_member
from development.models import Link, Person, Stage, Vote
from development.services import pipeline as svc
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW, WHY

pytestmark = pytest.mark.usefixtures("_media")


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def no_notice(settings):
    settings.DEVELOPMENT_NOTICE_WORKING_DAYS = 0


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("birth", "ok"), [(dt.date(2007, 8, 31), True), (dt.date(2007, 9, 1), True), (dt.date(2007, 9, 2), False)]
)
def test_d01_eighteen_on_the_application_date(cast, birth, ok):
    if ok:
        assert f.applicant(cast, birth=birth).stage == Stage.APPLICANT
    else:
        with pytest.raises(ValidationError, match="D-01"):
            f.applicant(cast, birth=birth)
        assert not Person.objects.exists()


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("day", "late"),
    [(dt.date(2025, 9, 30), False), (dt.date(2025, 10, 1), False), (dt.date(2025, 10, 2), True)],
)
def test_d03_talk_within_one_month_else_flagged(cast, day, late):
    warnings = svc.record_talk(actor=cast.secretary, person=f.applicant(cast), on=day, backdate_reason=WHY)
    assert bool(warnings) is late and all("D-03" in w for w in warnings)


@time_machine.travel(NOW)
def test_d04_activist_needs_the_talk_and_the_filing(cast):
    person = f.applicant(cast)
    with pytest.raises(ValidationError, match="D-03"):
        svc.make_activist(
            actor=cast.secretary,
            person=person,
            nomination="members",
            decided_on=f.ACTIVIST,
            filed_on=f.ACTIVIST,
            backdate_reason=WHY,
        )
    svc.record_talk(actor=cast.secretary, person=person, on=f.TALKED, backdate_reason=WHY)
    with pytest.raises(ValidationError, match="报上级党委备案日期不能早于"):
        svc.make_activist(
            actor=cast.secretary,
            person=person,
            nomination="members",
            decided_on=f.ACTIVIST,
            filed_on=f.ACTIVIST - dt.timedelta(days=1),
            backdate_reason=WHY,
        )


@time_machine.travel(NOW)
def test_d05_one_or_two_full_members_as_contacts(cast):
    person = f.to_activist(cast, f.applicant(cast))
    three = f.full_members(cast.branch_a1, 3)
    with pytest.raises(ValidationError, match="D-05"):
        svc.set_links(
            actor=cast.secretary,
            person=person,
            kind=Link.Kind.CONTACT,
            members=three,
            on=f.ACTIVIST,
            backdate_reason=WHY,
        )
    pre = make_member(cast.branch_a1, "预备甲", category="probationary")
    with pytest.raises(ValidationError, match="不是正式党员"):
        svc.set_links(
            actor=cast.secretary,
            person=person,
            kind=Link.Kind.CONTACT,
            members=[pre],
            on=f.ACTIVIST,
            backdate_reason=WHY,
        )


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("decided", "ok"),
    [(dt.date(2026, 10, 9), False), (dt.date(2026, 10, 10), True), (dt.date(2026, 10, 11), True)],
)
def test_d06_one_year_as_activist(cast, no_notice, decided, ok):
    person = f.to_activist(cast, f.applicant(cast))

    def call():
        return svc.make_candidate(
            actor=cast.secretary, person=person, decided_on=decided, filed_on=decided, backdate_reason=WHY
        )

    if ok:
        call()
        assert Person.objects.get(pk=person.pk).stage == Stage.CANDIDATE
    else:
        with pytest.raises(ValidationError, match="D-06"):
            call()


@time_machine.travel(NOW)
def test_d05_a_gap_of_more_than_six_months_without_assessment_bars_the_candidate_step(cast, no_notice):
    person = f.to_activist(cast, f.applicant(cast))
    person.assessments.filter(held_on=f.ASSESSED[1]).delete()  # last one 2026-03-10: due by 2026-09-10
    with pytest.raises(ValidationError, match="D-05"):
        svc.make_candidate(
            actor=cast.secretary,
            person=person,
            decided_on=dt.date(2026, 10, 10),
            filed_on=dt.date(2026, 10, 10),
            backdate_reason=WHY,
        )


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("decided", "ok"),
    [(dt.date(2026, 10, 16), False), (dt.date(2026, 10, 19), True), (dt.date(2026, 10, 20), True)],
)
def test_d22_five_working_days_of_notice_before_the_candidate_step(cast, decided, ok):
    if ok:
        assert f.to_candidate(cast, f.applicant(cast), decided_on=decided).stage == Stage.CANDIDATE
    else:
        with pytest.raises(ValidationError, match="D-22"):
            f.to_candidate(cast, f.applicant(cast), decided_on=decided)


@time_machine.travel(NOW)
@pytest.mark.parametrize("ended_offset", [0, 1])
def test_d07_two_full_sponsors_not_under_probation_of_discipline(cast, ended_offset):
    person = f.to_candidate(cast, f.applicant(cast))
    a, b = f.full_members(cast.branch_a1, 2)
    with pytest.raises(ValidationError, match="D-07"):
        svc.set_links(
            actor=cast.secretary,
            person=person,
            kind=Link.Kind.SPONSOR,
            members=[a],
            on=f.CANDIDATE,
            backdate_reason=WHY,
        )
    pre = make_member(cast.branch_a1, "预备乙", category="probationary")
    with pytest.raises(ValidationError, match="不是正式党员"):
        svc.set_links(
            actor=cast.secretary,
            person=person,
            kind=Link.Kind.SPONSOR,
            members=[a, pre],
            on=f.CANDIDATE,
            backdate_reason=WHY,
        )
    # 留党察看 restored on the day (offset 0) no longer bars; restored the day after (offset 1) still does.
    svc.add_discipline(
        actor=cast.secretary,
        member=b,
        starts_on=dt.date(2025, 1, 1),
        ends_on=f.CANDIDATE + dt.timedelta(days=ended_offset),
        note="留党察看一年",
    )

    def call():
        return svc.set_links(
            actor=cast.secretary,
            person=person,
            kind=Link.Kind.SPONSOR,
            members=[a, b],
            on=f.CANDIDATE,
            backdate_reason=WHY,
        )

    if ended_offset:
        with pytest.raises(ValidationError, match="留党察看"):
            call()
    else:
        call()


@time_machine.travel(NOW)
def test_d08_d09_d10_pre_review_needs_review_training_and_sponsors(cast):
    person = f.to_candidate(cast, f.applicant(cast))
    with pytest.raises(ValidationError) as exc:
        svc.record_pre_review(
            actor=cast.secretary,
            person=person,
            on=f.PRE_REVIEW,
            form_issued_on=f.PRE_REVIEW,
            backdate_reason=WHY,
        )
    text = str(exc.value)
    assert "D-07" in text and "D-08" in text and "D-09" in text
    with pytest.raises(ValidationError, match="D-08"):
        svc.record_review(
            actor=cast.secretary, person=person, on=f.REVIEW, conclusion=" ", passed=True, backdate_reason=WHY
        )
    with pytest.raises(ValidationError, match="D-09"):
        svc.record_training(
            actor=cast.secretary,
            person=person,
            until=f.TRAINED,
            days=Decimal("2.5"),
            hours=Decimal(23),
            backdate_reason=WHY,
        )
    svc.record_training(
        actor=cast.secretary,
        person=person,
        until=f.TRAINED,
        days=None,
        hours=Decimal(24),
        backdate_reason=WHY,
    )


@time_machine.travel(NOW)
def test_d10_no_vote_before_the_pre_review(cast):
    person = f.to_candidate(cast, f.applicant(cast))
    record = f.assembly(cast, f.ASSEMBLY)
    with pytest.raises(ValidationError, match="D-10"):
        svc.record_admission_vote(actor=cast.secretary, person=person, record=record, yes=4, no=0, abstain=0)


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("present", "yes", "outcome"), [(2, 2, "no quorum"), (3, 2, "failed"), (3, 3, "passed")]
)
def test_d12_quorum_and_pass_against_those_due(cast, present, yes, outcome):
    person = f.ready_for_vote(cast, f.applicant(cast))
    record = f.assembly(cast, f.ASSEMBLY, present=present)
    assert record.eligible_voters == 4
    if outcome == "no quorum":
        with pytest.raises(ValidationError, match="D-12"):
            svc.record_admission_vote(
                actor=cast.secretary, person=person, record=record, yes=yes, no=0, abstain=0
            )
        return
    vote, _ = svc.record_admission_vote(
        actor=cast.secretary, person=person, record=record, yes=yes, no=0, abstain=0
    )
    assert vote.passed is (outcome == "passed")
    assert (Person.objects.get(pk=person.pk).resolution_on is not None) is (outcome == "passed")


@time_machine.travel(NOW)
def test_q01_a_member_under_discipline_leaves_the_vote(cast):
    person = f.ready_for_vote(cast, f.applicant(cast))
    barred = f.full_members(cast.branch_a1, 4)[3]
    svc.add_discipline(
        actor=cast.secretary, member=barred, starts_on=dt.date(2026, 1, 1), ends_on=None, note="留党察看二年"
    )
    record = f.assembly(cast, f.ASSEMBLY, present=2)  # 2 of the 3 who may vote
    vote, _ = svc.record_admission_vote(
        actor=cast.secretary, person=person, record=record, yes=2, no=0, abstain=0
    )
    assert (vote.eligible, vote.present, vote.passed) == (3, 2, True)


@time_machine.travel(NOW)
def test_d11_leaving_within_three_months_warns(cast):
    person = f.ready_for_vote(cast, f.applicant(cast))
    Person.objects.filter(pk=person.pk).update(expected_leave_on=dt.date(2027, 3, 4))
    record = f.assembly(cast, f.ASSEMBLY)
    _, warnings = svc.record_admission_vote(
        actor=cast.secretary, person=person, record=record, yes=4, no=0, abstain=0
    )
    assert warnings and "D-11" in warnings[0]


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("approved", "reason", "ok"),
    [
        (dt.date(2027, 3, 5), "", True),
        (dt.date(2027, 3, 6), "", False),
        (dt.date(2027, 6, 5), "等待上级组织部门复核", True),
        (dt.date(2027, 6, 6), "等待上级组织部门复核", False),
    ],
)
def test_d13_approval_within_three_months_or_with_reason_up_to_six(cast, approved, reason, ok):
    person = f.voted(cast, f.applicant(cast))

    def call():
        return svc.approve_admission(
            actor=cast.committee_admin,
            person=person,
            talk_on=dt.date(2027, 1, 5),
            approved_on=approved,
            late_reason=reason,
            backdate_reason=WHY,
        )

    if ok:
        call()
        assert Person.objects.get(pk=person.pk).stage == Stage.PROBATIONARY
    else:
        with pytest.raises(ValidationError, match="D-13"):
            call()


@time_machine.travel(NOW)
def test_d13_only_the_committee_approves(cast):
    person = f.voted(cast, f.applicant(cast))
    with pytest.raises(Exception, match="上级党"):
        svc.approve_admission(
            actor=cast.secretary,
            person=person,
            talk_on=dt.date(2027, 1, 5),
            approved_on=dt.date(2027, 1, 6),
            backdate_reason=WHY,
        )


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("day", "ok"), [(dt.date(2027, 12, 4), False), (dt.date(2027, 12, 5), True), (dt.date(2027, 12, 6), True)]
)
def test_d14_d15_conversion_only_when_the_year_from_the_resolution_is_over(cast, day, ok):
    person = f.probationary(cast, f.applicant(cast))
    if ok:
        assert f.vote_on(cast, person, day).passed
    else:
        with pytest.raises(ValidationError, match="D-15"):
            f.vote_on(cast, person, day)


@time_machine.travel(NOW)
@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (12, True), (13, False)])
def test_d16_extension_of_six_to_twelve_months(cast, months, ok):
    person = f.probationary(cast, f.applicant(cast))

    def call():
        return f.vote_on(
            cast, person, dt.date(2027, 12, 6), kind=Vote.Kind.EXTENSION, extension_months=months
        )

    if ok:
        assert call().passed
    else:
        with pytest.raises(ValidationError, match="D-16"):
            call()


@time_machine.travel(NOW)
@pytest.mark.parametrize(("approved", "ok"), [(dt.date(2028, 1, 5), True), (dt.date(2028, 1, 6), True)])
def test_d17_conversion_approved_within_three_months(cast, approved, ok):
    person = f.probationary(cast, f.applicant(cast))
    f.vote_on(
        cast, person, dt.date(2027, 10, 6), kind=Vote.Kind.CANCEL
    )  # resolution 2027-10-06: due 2028-01-06
    svc.approve_conversion(
        actor=cast.committee_admin, person=person, approved_on=approved, backdate_reason=WHY
    )


@time_machine.travel(NOW)
def test_d17_approval_after_three_months_is_refused(cast):
    person = f.probationary(cast, f.applicant(cast))
    f.vote_on(cast, person, dt.date(2027, 10, 6), kind=Vote.Kind.CANCEL)
    with pytest.raises(ValidationError, match="D-17"):
        svc.approve_conversion(
            actor=cast.committee_admin, person=person, approved_on=dt.date(2028, 1, 7), backdate_reason=WHY
        )


@time_machine.travel(NOW)
def test_d19_oath_after_approval(cast):
    person = f.probationary(cast, f.applicant(cast))
    with pytest.raises(ValidationError, match="宣誓日期不能早于党委审批日期"):
        svc.record_oath(
            actor=cast.secretary, person=person, on=f.APPROVED - dt.timedelta(days=1), backdate_reason=WHY
        )
    svc.record_oath(actor=cast.secretary, person=person, on=f.APPROVED, backdate_reason=WHY)


@time_machine.travel(NOW)
def test_a_step_out_of_order_and_a_backdate_without_reason_are_refused(cast):
    person = f.applicant(cast)
    with pytest.raises(ValidationError, match="确定发展对象须在"):
        svc.make_candidate(
            actor=cast.secretary,
            person=person,
            decided_on=dt.date(2028, 1, 19),
            filed_on=dt.date(2028, 1, 19),
        )
    with pytest.raises(ValidationError, match="补录原因"):
        svc.record_talk(actor=cast.secretary, person=person, on=f.TALKED)
    assert Person.objects.get(pk=person.pk).talked_on is None


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("restored", "counted"), [(f.ASSEMBLY, (4, 4)), (f.ASSEMBLY + dt.timedelta(days=1), (3, 3))]
)
def test_q01_a_member_under_discipline_present_at_the_meeting_has_no_vote_until_restored(
    cast, restored, counted
):
    """D-12 with Q-01: present at the meeting, a member still under 留党察看 counts neither in those due nor
    in those present; restored on the meeting day, the member votes."""
    person = f.ready_for_vote(cast, f.applicant(cast))
    barred = f.full_members(cast.branch_a1, 4)[3]
    svc.add_discipline(
        actor=cast.secretary,
        member=barred,
        starts_on=dt.date(2026, 1, 1),
        ends_on=restored,
        note="留党察看一年",
    )
    record = f.assembly(cast, f.ASSEMBLY)  # everyone present
    assert (record.eligible_voters, record.present_voters) == counted  # organizational life agrees
    vote, _ = svc.record_admission_vote(
        actor=cast.secretary, person=person, record=record, yes=2, no=1, abstain=0
    )
    assert (vote.eligible, vote.present) == counted  # 2 yes: more than half of 3, not of 4
    assert vote.passed is (counted == (3, 3))
