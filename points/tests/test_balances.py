"""Yearly balances follow every ledger write in the same transaction, and rebuild to the same rows."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from conftest import make_member
from orgs.models import Member
from points import selectors, services
from points.models import Declaration, LedgerEntry, MemberYearBalance
from points.tests.conftest import make_catalogue
from points.tests.helpers import award

ZERO = Decimal("0")


@pytest.fixture
def two_years(cast):
    """The catalogue in force since 2025, so entries land in two years."""
    return make_catalogue(cast.county, effective_from=dt.date(2025, 1, 1))


def ledger_sums():
    out = defaultdict(lambda: defaultdict(Decimal))
    rows = LedgerEntry.objects.values_list("member_id", "occurred_on__year", "block_code").annotate(
        s=Sum("points")
    )
    for member_id, year, block, points in rows.order_by():
        out[(member_id, year)][block] += points
    return {key: dict(blocks) for key, blocks in out.items()}


def balance_sums():
    return {
        (b.member_id, b.year): {code: Decimal(v) for code, v in b.blocks.items()}
        for b in MemberYearBalance.objects.all()
    }


def assert_balances_match_ledger():
    assert balance_sums() == ledger_sums()
    for b in MemberYearBalance.objects.all():
        assert b.total == sum((Decimal(v) for v in b.blocks.values()), ZERO)


def test_an_automatic_award_updates_the_balance_with_its_block_and_org_path(cast, catalogue):
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 3, 2))
    balance = MemberYearBalance.objects.get(member=cast.member_a1, year=2026)
    assert (balance.total, balance.block_points("basic")) == (Decimal("1"), Decimal("1"))
    assert balance.org_path == cast.branch_a1.path


def test_a_correction_takes_its_points_back_out_of_the_balance(cast, catalogue):
    entry = award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
    services.correct_entry(actor=cast.secretary, entry=entry, reason="重复记分")
    assert MemberYearBalance.objects.get(member=cast.member_a1, year=2026).total == 0


def test_a_rolled_back_write_leaves_no_balance_behind(cast, catalogue):
    with pytest.raises(RuntimeError), transaction.atomic():
        award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
        raise RuntimeError("the caller fails after the award")
    assert not LedgerEntry.objects.exists() and not MemberYearBalance.objects.exists()


def test_after_a_random_sequence_of_service_calls_balances_equal_the_ledger(cast, two_years, scorekeeper):
    rng = random.Random(20260401)
    members = [
        cast.member_a1,
        *Member.objects.filter(org=cast.branch_a1).exclude(pk=cast.member_a1.pk),
        cast.member_b1,
        make_member(cast.branch_a2, "孙随机"),
    ]
    codes = ["orglife_attendance", "theory_study", "reading_club", "micro_lecture", "journal_article"]
    sources: list[str] = []
    for step in range(60):
        kind = rng.choice(["award", "batch", "batch", "reverse", "correct"])
        day = dt.date(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28))
        if kind == "award":
            award(rng.choice(members), rng.choice(codes), day)
        elif kind == "batch":
            source = f"meeting-{step}"
            sources.append(source)
            services.award_automatic_batch(
                actor=None,
                awards=[
                    services.AutomaticAward(m.pk, rng.choice(codes), day, "orglife.attendance", source)
                    for m in rng.sample(members, 3)
                ],
            )
        elif kind == "reverse" and sources:
            services.reverse_automatic(
                actor=cast.secretary,
                source_type="orglife.attendance",
                source_id=sources.pop(rng.randrange(len(sources))),
                reason="记录修改",
            )
        elif kind == "correct":
            live = LedgerEntry.objects.live().filter(org=cast.branch_a1).order_by("?").first()
            if live is not None:
                services.correct_entry(actor=cast.secretary, entry=live, reason="更正")
    # Declarations confirmed at the quarterly review enter the ledger too.
    for day in [dt.date(2026, 2, 3), dt.date(2026, 2, 10), dt.date(2026, 3, 3)]:
        d = services.declare(
            actor=cast.member_user,
            member=cast.member_a1,
            item_code="theory_study",
            occurred_on=day,
            description="集中学习",
            today=dt.date(2026, 4, 1),
        )
        services.verify_declaration(actor=scorekeeper, declaration=d)
    services.confirm_quarter(
        actor=cast.secretary, branch=cast.branch_a1, year=2026, quarter=1, today=dt.date(2026, 4, 2)
    )
    assert Declaration.objects.filter(status=Declaration.Status.CONFIRMED).count() == 3
    assert LedgerEntry.objects.filter(reverses__isnull=False).exists()
    assert {year for _, year in balance_sums()} == {2025, 2026}
    assert_balances_match_ledger()
    before = balance_sums()
    call_command("points_rebuild_balances")
    assert balance_sums() == before


def test_the_rebuild_command_repairs_one_year_and_is_idempotent(cast, two_years):
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
    award(cast.member_a1, "theory_study", dt.date(2025, 3, 3))
    MemberYearBalance.objects.filter(year=2026).update(total=99, blocks={"basic": "99"})
    MemberYearBalance.objects.filter(year=2025).update(total=7)
    call_command("points_rebuild_balances", "--year", "2026")
    call_command("points_rebuild_balances", "--year", "2026")
    assert MemberYearBalance.objects.get(year=2026).total == Decimal("2")
    assert MemberYearBalance.objects.get(year=2025).total == 7  # other years untouched


def test_the_ranking_reads_balances_and_agrees_with_the_ledger_sum(cast, catalogue):
    for day in [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]:
        award(cast.member_a1, "theory_study", day)
    award(cast.member_b1, "micro_lecture", dt.date(2026, 5, 5))
    members = Member.objects.all()
    ranked = [(m.pk, m.total) for m in selectors.annual_totals(members, 2026)]
    assert ranked == [(m.pk, m.total) for m in selectors.ledger_totals(members, 2026)]
    assert ranked[0][1] > 0 and ranked[-1][1] == 0  # members without entries are ranked with 0


def test_block_totals_come_from_the_balance(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
    award(cast.member_a1, "micro_lecture", dt.date(2026, 3, 3))
    blocks = selectors.block_totals([cast.member_a1.pk], 2026)[cast.member_a1.pk]
    assert blocks == {"basic": Decimal("2"), "task": Decimal("5")}
