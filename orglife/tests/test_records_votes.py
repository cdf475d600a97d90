"""Quorum and pass of a 支部党员大会 vote (RULES.md OL-03) and the 支委会 quorum (OL-04), at the exact boundaries."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_member
from orglife.rules import assembly_passes, assembly_quorum, committee_quorum
from orglife.services import records as svc
from orglife.tests.records_fixtures import data, draft
from orgs.models import Member, Position

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ten_voters(cast):
    """branch_a1 with 10 full members (4 from the cast + 6) and 2 who do not vote."""
    for i in range(6):
        make_member(cast.branch_a1, f"赵{i}")
    make_member(cast.branch_a1, "钱预备", category="probationary")
    make_member(cast.branch_a1, "孙免参", is_exempt=True, exempt_reason="年老体弱")
    return list(Member.objects.filter(org=cast.branch_a1, category="full").order_by("id"))


def assembly(cast, voters, present, yes, no=0, abstain=0):
    present_ids = {m.pk for m in voters[:present]}
    roster = svc.roster_for(cast.branch_a1, "general_assembly")
    attendance = [
        svc.AttendanceEntry(m.pk, m.pk in present_ids or m.category != "full", "出差") for m in roster.due
    ]
    return draft(
        cast.secretary,
        cast.branch_a1,
        meeting_type="general_assembly",
        attendance=attendance,
        vote_subject="接收张三为预备党员",
        votes_yes=yes,
        votes_no=no,
        votes_abstain=abstain,
    )


@pytest.mark.parametrize(("present", "quorum"), [(5, False), (6, True)])
def test_ten_eligible_need_six_present(present, quorum):
    assert assembly_quorum(present=present, eligible=10) is quorum


@pytest.mark.parametrize(("yes", "passes"), [(5, False), (6, True)])
def test_ten_eligible_need_six_yes_votes_whatever_the_attendance(yes, passes):
    assert assembly_passes(yes=yes, eligible=10) is passes


def test_nobody_eligible_is_never_a_quorum():
    assert not assembly_quorum(present=0, eligible=0) and not committee_quorum(present=0, committee_size=0)


@time_machine.travel(NOW)
def test_five_of_ten_present_is_stored_and_shown_as_no_quorum(cast, ten_voters):
    record = assembly(cast, ten_voters, present=5, yes=5)
    assert (record.eligible_voters, record.present_voters) == (10, 5)
    assert record.quorum_met is False and record.vote_passed is False
    html = (
        cast.client(cast.secretary).get(reverse("orglife:record_detail", args=[record.pk])).content.decode()
    )
    assert "未超过半数，不足法定人数" in html and "表决未通过" in html and "alert-warning" in html


@time_machine.travel(NOW)
def test_six_of_ten_present_with_six_yes_is_a_quorum_and_passes(cast, ten_voters):
    record = assembly(cast, ten_voters, present=6, yes=6)
    assert (record.eligible_voters, record.present_voters) == (10, 6)
    assert record.quorum_met is True and record.vote_passed is True
    html = (
        cast.client(cast.secretary).get(reverse("orglife:record_detail", args=[record.pk])).content.decode()
    )
    assert "超过半数，可以表决" in html and "表决通过" in html


@time_machine.travel(NOW)
def test_five_yes_of_six_present_does_not_pass(cast, ten_voters):
    record = assembly(cast, ten_voters, present=6, yes=5, abstain=1)
    assert record.quorum_met is True and record.vote_passed is False


@time_machine.travel(NOW)
def test_probationary_and_exempt_members_do_not_vote(cast, ten_voters):
    record = assembly(cast, ten_voters, present=10, yes=10)
    assert record.eligible_voters == 10 and record.present_voters == 10


@time_machine.travel(NOW)
def test_more_votes_than_voters_present_is_refused(cast, ten_voters):
    with pytest.raises(ValidationError) as exc:
        assembly(cast, ten_voters, present=6, yes=6, no=1)
    assert "票数合计超过" in str(exc.value)


@time_machine.travel(NOW)
def test_votes_belong_to_the_general_assembly_only(cast):
    with pytest.raises(ValidationError) as exc:
        svc.create_record(
            actor=cast.secretary,
            org=cast.branch_a1,
            data=data(cast.branch_a1, vote_subject="x", votes_yes=1, votes_no=0, votes_abstain=0),
        )
    assert "只有支部党员大会" in str(exc.value)


def committee(cast, size):
    members = list(Member.objects.filter(org=cast.branch_a1).order_by("id"))[:size]
    titles = ["secretary", "organization", "propaganda", "discipline"]
    for m, title in zip(members, titles, strict=False):
        Position.objects.create(member=m, org=cast.branch_a1, title=title, started_on=dt.date(2024, 1, 1))
    return members


@pytest.mark.parametrize(("present", "quorum"), [(2, False), (3, True)])
@time_machine.travel(NOW)
def test_committee_of_four_needs_three_members_present(cast, present, quorum):
    members = committee(cast, 4)
    attendance = [svc.AttendanceEntry(m.pk, i < present, "请假") for i, m in enumerate(members)]
    record = draft(cast.secretary, cast.branch_a1, meeting_type="committee", attendance=attendance)
    assert (record.committee_size, record.committee_present, record.quorum_met) == (4, present, quorum)
    html = (
        cast.client(cast.secretary).get(reverse("orglife:record_detail", args=[record.pk])).content.decode()
    )
    assert ("超过半数，会议有效" in html) is quorum


@time_machine.travel(NOW)
def test_the_committee_roster_is_the_current_committee_only(cast):
    members = committee(cast, 3)
    Position.objects.filter(member=members[2]).update(ended_on=dt.date(2025, 1, 1))
    assert [m.pk for m in svc.roster_for(cast.branch_a1, "committee").due] == [m.pk for m in members[:2]]
