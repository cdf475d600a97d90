"""Selection: eligibility, the joint review group's veto (严防带病上岗) and the numbered appointment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from audit.models import AuditEvent
from conftest import make_member, make_user
from observers.models import Candidate, Observer, ReviewOpinion, ReviewUnit
from observers.services.selection import appoint, record_opinion, register_candidate, review_state
from observers.tests.selection_fixtures import all_agree, candidate, observer
from orgs.models import RoleGrant
from orgs.roles import Role


def test_default_review_units_are_the_four_of_the_joint_group(db):
    assert list(ReviewUnit.objects.values_list("name", flat=True)) == ["纪检监察", "政法", "公检法", "信访"]


def test_less_than_three_years_of_party_work_is_refused_with_a_chinese_reason(cast):
    with pytest.raises(ValidationError) as exc:
        candidate(cast, years="2.5")
    assert "党务工作年限不足3年" in exc.value.message_dict["party_work_years"][0]
    assert not Candidate.objects.exists()


def test_the_minimum_years_is_a_setting(cast, settings):
    settings.OBSERVER_MIN_PARTY_WORK_YEARS = 2
    assert candidate(cast, years="2.5").status == Candidate.Status.REVIEWING


def test_three_years_exactly_is_eligible(cast):
    assert candidate(cast, years="3").status == Candidate.Status.REVIEWING


def test_a_member_outside_the_committee_cannot_be_registered(cast):
    with pytest.raises(ValidationError) as exc:
        candidate(cast, cast.member_b1, committee=cast.committee_a)
    assert "不在所选党(工)委" in exc.value.message_dict["member"][0]


def test_a_committee_admin_cannot_register_for_another_committee(cast):
    with pytest.raises(PermissionDenied):
        register_candidate(
            actor=cast.committee_admin,
            member=cast.member_b1,
            committee=cast.committee_b,
            source="self",
            party_work_years=Decimal(5),
        )


def test_one_objection_rejects_the_candidate_and_records_the_reason(cast):
    cand = candidate(cast)
    units = list(ReviewUnit.objects.all())
    for unit in units[:3]:
        record_opinion(actor=cast.committee_admin, candidate=cand, unit=unit, opinion="agree")
    record_opinion(
        actor=cast.committee_admin, candidate=cand, unit=units[3], opinion="object", note="有信访举报未办结"
    )
    cand.refresh_from_db()
    assert cand.status == Candidate.Status.REJECTED
    assert cand.rejection_reason == "信访有异议：有信访举报未办结"
    assert AuditEvent.objects.filter(target_type="observers.Candidate", action="update").exists()


def test_a_rejected_candidate_cannot_be_appointed(cast):
    cand = candidate(cast)
    first = ReviewUnit.objects.first()
    record_opinion(actor=cast.committee_admin, candidate=cand, unit=first, opinion="object", note="受过处分")
    with pytest.raises(ValidationError, match="有异议，不能聘任"):
        appoint(actor=cast.committee_admin, candidate=cand)
    assert not Observer.objects.exists()


def test_the_rejection_is_final_no_more_opinions(cast):
    cand = candidate(cast)
    a, b = ReviewUnit.objects.all()[:2]
    record_opinion(actor=cast.committee_admin, candidate=cand, unit=a, opinion="object", note="x")
    with pytest.raises(ValidationError, match="不再接受审查意见"):
        record_opinion(actor=cast.committee_admin, candidate=cand, unit=b, opinion="agree")


def test_an_objection_needs_a_reason(cast):
    cand = candidate(cast)
    with pytest.raises(ValidationError) as exc:
        record_opinion(
            actor=cast.committee_admin, candidate=cand, unit=ReviewUnit.objects.first(), opinion="object"
        )
    assert "理由" in exc.value.message_dict["note"][0]


def test_a_unit_gives_its_opinion_once(cast):
    cand = candidate(cast)
    unit = ReviewUnit.objects.first()
    record_opinion(actor=cast.committee_admin, candidate=cand, unit=unit, opinion="agree")
    with pytest.raises(ValidationError, match="已出具审查意见"):
        record_opinion(actor=cast.committee_admin, candidate=cand, unit=unit, opinion="object", note="x")


def test_appointment_waits_for_every_active_unit(cast):
    cand = candidate(cast)
    record_opinion(
        actor=cast.committee_admin, candidate=cand, unit=ReviewUnit.objects.first(), opinion="agree"
    )
    with pytest.raises(ValidationError, match="尚有审查单位未出具意见"):
        appoint(actor=cast.committee_admin, candidate=cand)
    assert len(review_state(cand).pending) == 3


def test_an_inactive_unit_is_not_waited_for(cast):
    ReviewUnit.objects.filter(name="信访").update(is_active=False)
    cand = candidate(cast)
    all_agree(cast, cand)
    assert review_state(cand).all_agreed


def test_all_agree_appoints_with_a_numbered_letter_a_card_and_an_observer_login(cast):
    member = make_member(cast.branch_a2, "陈志远")
    cand = candidate(cast, member)
    all_agree(cast, cand)
    result = appoint(actor=cast.committee_admin, candidate=cand, appointed_on=dt.date(2026, 3, 2))
    o = result.observer
    assert o.letter_number == "太观聘〔2026〕001号"
    assert o.card_number == "太观证2026001"
    assert o.committee == cast.committee_a and o.status == Observer.Status.ACTIVE and o.updated_year == 2026
    cand.refresh_from_db()
    assert cand.status == Candidate.Status.APPOINTED
    user = result.user
    assert user.member == member and user.must_change_password and user.display_name == "陈志远"
    assert result.initial_password and user.check_password(result.initial_password)
    assert RoleGrant.objects.filter(user=user, role=Role.OBSERVER).exists()
    assert o.user == user


def test_letter_numbers_run_in_sequence_within_a_year_and_restart_next_year(cast):
    members = [make_member(cast.branch_a2, f"观察员{i}") for i in range(3)]
    a = observer(cast, members[0], day=dt.date(2026, 1, 5))
    b = observer(cast, members[1], day=dt.date(2026, 6, 1))
    c = observer(cast, members[2], day=dt.date(2027, 1, 3))
    assert [a.letter_number, b.letter_number, c.letter_number] == [
        "太观聘〔2026〕001号",
        "太观聘〔2026〕002号",
        "太观聘〔2027〕001号",
    ]


def test_an_existing_account_of_the_member_is_linked_without_a_new_password(cast):
    assert User.objects.get(member=cast.member_a1) == cast.member_user
    cand = candidate(cast)
    all_agree(cast, cand)
    result = appoint(actor=cast.dept_admin, candidate=cand)
    assert result.user == cast.member_user and result.initial_password is None


def test_a_member_already_an_observer_cannot_be_a_candidate_again(cast):
    observer(cast, cast.member_a1)
    with pytest.raises(ValidationError, match="已是观察员"):
        candidate(cast)


def test_a_taken_username_is_refused(cast):
    make_user("taken")
    m = make_member(cast.branch_a2, "周明")
    cand = candidate(cast, m)
    all_agree(cast, cand)
    with pytest.raises(ValidationError) as exc:
        appoint(actor=cast.dept_admin, candidate=cand, username="taken")
    assert "已被使用" in exc.value.message_dict["username"][0]
    assert Candidate.objects.get(pk=cand.pk).status == Candidate.Status.REVIEWING


def test_opinions_are_audited(cast):
    cand = candidate(cast)
    all_agree(cast, cand)
    assert AuditEvent.objects.filter(target_type="observers.ReviewOpinion").count() == 4
    assert ReviewOpinion.objects.filter(candidate=cand, opinion="agree").count() == 4
