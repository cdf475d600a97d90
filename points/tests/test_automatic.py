"""Automatic entries from other modules: idempotent awards, and reversal when the source is amended."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from points import services
from points.models import LedgerEntry
from points.tests.helpers import balance

DAY = dt.date(2026, 5, 20)


def award(cast, member=None, source_id="42"):
    return services.award_automatic(
        actor=cast.secretary,
        member=member or cast.member_a1,
        item_code="orglife_attendance",
        occurred_on=DAY,
        source_type="orglife.attendance",
        source_id=source_id,
    )


def test_an_approved_record_writes_one_entry_linked_to_its_source(cast, catalogue):
    entry = award(cast)
    assert (entry.points, entry.source_type, entry.source_id) == (Decimal("1"), "orglife.attendance", "42")
    assert entry.reviewed_by == cast.secretary


def test_awarding_the_same_source_twice_does_nothing(cast, catalogue):
    award(cast)
    assert award(cast) is None
    assert LedgerEntry.objects.count() == 1


def test_amending_the_source_reverses_its_entries(cast, catalogue):
    award(cast)
    award(cast, member=cast.member_b1)
    reversals = services.reverse_automatic(
        actor=cast.secretary,
        source_type="orglife.attendance",
        source_id="42",
        reason="会议记录修改：出勤更正",
    )
    assert len(reversals) == 2
    assert {r.points for r in reversals} == {Decimal("-1")}
    assert balance(cast.member_a1) == 0 and balance(cast.member_b1) == 0
    assert LedgerEntry.objects.count() == 4  # nothing was deleted or changed


def test_reversing_twice_writes_nothing_more(cast, catalogue):
    award(cast)
    services.reverse_automatic(actor=None, source_type="orglife.attendance", source_id="42", reason="撤销")
    assert (
        services.reverse_automatic(
            actor=None, source_type="orglife.attendance", source_id="42", reason="撤销"
        )
        == []
    )
    assert LedgerEntry.objects.count() == 2


def test_the_amended_record_awards_its_attendees_again(cast, catalogue):
    award(cast)
    award(cast, member=cast.member_b1)
    services.reverse_automatic(actor=None, source_type="orglife.attendance", source_id="42", reason="修改")
    assert award(cast).points == Decimal("1")  # still present after the amendment
    assert balance(cast.member_a1) == Decimal("1") and balance(cast.member_b1) == 0


def test_a_reversal_needs_a_reason(cast, catalogue):
    with pytest.raises(ValidationError):
        services.reverse_automatic(actor=None, source_type="orglife.attendance", source_id="42", reason="")


def test_no_catalogue_means_no_entry_and_no_error(cast):
    assert award(cast) is None


def test_a_batch_caps_one_member_as_if_written_one_by_one(cast, catalogue):
    awards = [
        services.AutomaticAward(
            cast.member_a1.pk, "orglife_attendance", DAY + dt.timedelta(days=i), "orglife.attendance", f"r{i}"
        )
        for i in range(6)
    ]
    entries = services.award_automatic_batch(actor=None, awards=awards)
    assert [e.points for e in entries] == [Decimal("1")] * 4 + [Decimal("0")] * 2  # month cap 4


def test_a_correction_is_a_reversing_entry_with_a_reason(cast, catalogue, scorekeeper):
    entry = award(cast)
    reversal = services.correct_entry(actor=scorekeeper, entry=entry, reason="重复记分")
    assert (reversal.points, reversal.reverses) == (Decimal("-1"), entry)
    with pytest.raises(ValidationError):
        services.correct_entry(actor=scorekeeper, entry=entry, reason="again")
