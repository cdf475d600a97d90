"""add_entries, award_automatic_batch's bulk path: the same entries, caps and balances, without the ORM."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from points import services
from points.models import LedgerEntry, MemberYearBalance
from points.services import AutomaticAward

DAY = dt.date(2026, 5, 20)  # a Wednesday


def awards(cast, source_type):
    # 集中理论学习 twice in one week: the weekly cap (2 points) cuts the second to nothing.
    return [
        AutomaticAward(cast.member_a1.pk, "theory_study", DAY, source_type, "1"),
        AutomaticAward(cast.member_a1.pk, "theory_study", DAY + dt.timedelta(days=1), source_type, "2"),
        AutomaticAward(cast.member_b1.pk, "orglife_attendance", DAY, source_type, "3"),
    ]


def rows():
    entries = LedgerEntry.objects.order_by("pk")
    return list(
        entries.values_list("member_id", "item_code", "occurred_on", "points", "capped_from", "rule_id")
    )


def test_the_bulk_path_writes_what_the_batch_service_writes(cast, catalogue):
    with transaction.atomic():
        services.award_automatic_batch(actor=None, awards=awards(cast, "test"), audit=False)
        expected = rows()
        transaction.set_rollback(True)
    assert services.add_entries(actor=None, awards=awards(cast, "test")) == 3
    assert rows() == expected
    assert [r[3] for r in expected] == [Decimal("2"), Decimal("1"), Decimal("0")]


def test_the_bulk_path_is_idempotent_and_keeps_balances(cast, catalogue):
    services.add_entries(actor=None, awards=awards(cast, "bulk"))
    assert services.add_entries(actor=None, awards=awards(cast, "bulk")) == 0
    balance = MemberYearBalance.objects.get(member=cast.member_a1, year=2026)
    assert balance.total == Decimal("2")


def test_both_paths_earn_an_item_several_times_up_to_the_callers_cap(cast, catalogue):
    # 每日一练: 0.5 a right answer; three right with a cap of 1 is cut to 1, one right is not cut.
    practice = [
        AutomaticAward(cast.member_a1.pk, "quiz_practice", DAY, "t", "1", times=3, at_most=Decimal("1")),
        AutomaticAward(cast.member_b1.pk, "quiz_practice", DAY, "t", "2", times=1, at_most=Decimal("1")),
    ]
    with transaction.atomic():
        services.award_automatic_batch(actor=None, awards=practice, audit=False)
        expected = list(
            LedgerEntry.objects.order_by("pk").values_list("points", "capped_from", "capped_reason")
        )
        transaction.set_rollback(True)
    assert services.add_entries(actor=None, awards=practice) == 2
    assert (
        list(LedgerEntry.objects.order_by("pk").values_list("points", "capped_from", "capped_reason"))
        == expected
    )
    assert expected == [
        (Decimal("1"), Decimal("1.5"), "“每日一练答对题目”单次上限1分"),
        (Decimal("0.5"), None, ""),
    ]
