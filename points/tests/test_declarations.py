"""个人申报 → 计分员记录 → 党支部审核, with rejection and resubmission."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from orgs.models import Member
from orgs.roles import Role
from points import services
from points.models import Declaration, LedgerEntry
from points.tests.helpers import total

DAY = dt.date(2026, 8, 12)
AFTER_Q3 = dt.date(2026, 10, 8)
S = Declaration.Status


def declare(cast, day=DAY, code="theory_study", **kw):
    kw.setdefault("description", "参加部机关周一晚集中学习")
    return services.declare(
        actor=cast.member_user, member=cast.member_a1, item_code=code, occurred_on=day, **kw
    )


def confirm(cast, quarter=3):
    return services.confirm_quarter(
        actor=cast.secretary,
        branch=cast.branch_a1,
        year=2026,
        quarter=quarter,
        remarks="学习积极",
        today=AFTER_Q3,
    )


def test_declared_recorded_confirmed_enters_the_ledger(cast, catalogue, scorekeeper):
    d = declare(cast)
    assert d.status == S.DECLARED and not LedgerEntry.objects.exists()
    services.verify_declaration(actor=scorekeeper, declaration=d)
    d.refresh_from_db()
    assert (d.status, d.recorded_by) == (S.RECORDED, scorekeeper)
    assert not LedgerEntry.objects.exists()  # recorded is not yet confirmed
    review = confirm(cast)
    d.refresh_from_db()
    entry = d.entry
    assert d.status == S.CONFIRMED and review.entries_written == 1
    assert (entry.points, entry.recorded_by, entry.reviewed_by) == (Decimal("2"), scorekeeper, cast.secretary)
    assert [e.action for e in d.events.all()] == ["declared", "recorded", "confirmed"]


def test_a_rejected_declaration_is_resubmitted_and_then_recorded(cast, catalogue, scorekeeper):
    d = declare(cast, description="学习")
    services.reject_declaration(actor=scorekeeper, declaration=d, reason="请写明学习内容")
    d.refresh_from_db()
    assert (d.status, d.reject_reason) == (S.REJECTED, "请写明学习内容")
    services.resubmit_declaration(
        actor=cast.member_user, declaration=d, description="学习《习近平经济思想学习纲要》第一章"
    )
    d.refresh_from_db()
    assert (d.status, d.submissions) == (S.DECLARED, 2)
    services.verify_declaration(actor=scorekeeper, declaration=d)
    confirm(cast)
    assert total(cast.member_a1) == Decimal("2")
    assert [e.action for e in d.events.all()] == [
        "declared",
        "rejected",
        "resubmitted",
        "recorded",
        "confirmed",
    ]


def test_the_branch_can_return_a_recorded_declaration_before_its_review(cast, catalogue, scorekeeper):
    d = declare(cast)
    services.verify_declaration(actor=scorekeeper, declaration=d)
    services.reject_declaration(actor=cast.secretary, declaration=d, reason="当周未组织集中学习")
    confirm(cast)
    d.refresh_from_db()
    assert d.status == S.REJECTED and total(cast.member_a1) == 0


def test_a_rejection_needs_a_reason(cast, catalogue, scorekeeper):
    with pytest.raises(ValidationError):
        services.reject_declaration(actor=scorekeeper, declaration=declare(cast), reason=" ")


def test_a_confirmed_declaration_cannot_be_rejected_or_resubmitted(cast, catalogue, scorekeeper):
    d = declare(cast)
    services.verify_declaration(actor=scorekeeper, declaration=d)
    confirm(cast)
    with pytest.raises(ValidationError):
        services.reject_declaration(actor=cast.secretary, declaration=d, reason="晚了")
    with pytest.raises(ValidationError):
        services.resubmit_declaration(actor=cast.member_user, declaration=d, description="再来")


def test_a_quarter_with_unverified_declarations_cannot_be_confirmed(cast, catalogue):
    declare(cast)
    with pytest.raises(ValidationError, match="待计分员审核"):
        confirm(cast)


def test_a_quarter_is_confirmed_once_and_only_after_it_ends(cast, catalogue):
    with pytest.raises(ValidationError, match="尚未结束"):
        services.confirm_quarter(
            actor=cast.secretary, branch=cast.branch_a1, year=2026, quarter=3, today=dt.date(2026, 9, 30)
        )
    confirm(cast)
    with pytest.raises(ValidationError, match="已审定"):
        confirm(cast)


def test_nobody_declares_into_a_confirmed_quarter(cast, catalogue):
    confirm(cast)
    with pytest.raises(ValidationError, match="已由支部审定"):
        declare(cast)


def test_a_scorekeeper_records_on_a_members_behalf(cast, catalogue, scorekeeper):
    d = services.declare(
        actor=scorekeeper,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=DAY,
        description="代为记录",
    )
    assert (d.status, d.recorded_by) == (S.RECORDED, scorekeeper)


def test_only_the_member_or_a_recorder_declares(cast, catalogue):
    for who in (cast.viewer, cast.outsider, cast.committee_admin):
        with pytest.raises(PermissionDenied):
            services.declare(
                actor=who, member=cast.member_a1, item_code="theory_study", occurred_on=DAY, description="x"
            )


def test_the_scorekeeper_of_another_branch_cannot_verify(cast, catalogue):
    other = make_user("sk_b1", Role.SCOREKEEPER, cast.branch_b1)
    with pytest.raises(PermissionDenied):
        services.verify_declaration(actor=other, declaration=declare(cast))


def test_a_scorekeeper_cannot_verify_their_own_declaration(cast, catalogue, scorekeeper):
    scorekeeper.member = Member.objects.get(name="王0华")
    scorekeeper.save()
    d = services.declare(
        actor=scorekeeper,
        member=scorekeeper.member,
        item_code="theory_study",
        occurred_on=DAY,
        description="本人申报",
    )
    assert d.status == S.DECLARED
    with pytest.raises(PermissionDenied):
        services.verify_declaration(actor=scorekeeper, declaration=d)


def test_evidence_is_required_as_the_item_says(cast, catalogue):
    with pytest.raises(ValidationError) as exc:
        declare(cast, code="site_visit", description="参观")
    assert "evidence_file" in exc.value.message_dict
    with pytest.raises(ValidationError):
        declare(cast, description="")


def test_a_declaration_over_a_cap_is_refused_while_another_is_pending(cast, catalogue):
    declare(cast)
    with pytest.raises(ValidationError, match="已达上限"):
        declare(cast, day=DAY + dt.timedelta(days=1))


def test_automatic_items_are_not_declared(cast, catalogue):
    with pytest.raises(ValidationError, match="自动记分"):
        declare(cast, code="orglife_attendance", evidence_link="x")


def test_a_future_date_is_refused(cast, catalogue):
    with pytest.raises(ValidationError):
        declare(cast, day=dt.date(2026, 8, 12), today=dt.date(2026, 8, 11))
