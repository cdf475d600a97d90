"""Caps cut points when entries are written, at their edges, and say why."""

import datetime as dt
from decimal import Decimal

from points import services
from points.models import PointRule
from points.tests.helpers import award, total

D = Decimal
MONDAY = dt.date(2026, 3, 2)


def test_a_weekly_cap_stops_a_second_study_in_the_same_week(cast, catalogue):
    first = award(cast.member_a1, "theory_study", MONDAY)
    second = award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(days=6))
    assert (first.points, first.capped_reason) == (D("2"), "")
    assert second.points == 0
    assert second.capped_from == D("2")
    assert "“参加集中理论学习”每周上限2分，已得2分" in second.capped_reason


def test_the_next_monday_opens_a_new_week(cast, catalogue):
    award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(days=6))
    assert award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(days=7)).points == D("2")


def test_a_monthly_cap_can_cut_an_entry_in_part(cast, catalogue):
    PointRule.objects.filter(code="reading_club").update(month_cap=D("3"))
    assert award(cast.member_a1, "reading_club", dt.date(2026, 4, 1)).points == D("2")
    cut = award(cast.member_a1, "reading_club", dt.date(2026, 4, 30))
    assert (cut.points, cut.capped_from) == (D("1"), D("2"))
    assert "每月上限3分，已得2分" in cut.capped_reason
    assert award(cast.member_a1, "reading_club", dt.date(2026, 5, 1)).points == D("2")


def test_a_yearly_item_cap_is_reached_exactly(cast, catalogue):
    for month in (1, 2, 3, 4):
        assert award(cast.member_a1, "site_visit", dt.date(2026, month, 10)).points == D("3")
    assert award(cast.member_a1, "site_visit", dt.date(2026, 5, 10)).points == 0
    assert award(cast.member_a1, "site_visit", dt.date(2027, 1, 10)).points == D("3")


def test_the_basic_block_stops_at_fifty(cast, catalogue):
    for week in range(24):
        award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(weeks=week))
    assert total(cast.member_a1) == D("48")
    last = award(cast.member_a1, "reading_club", dt.date(2026, 11, 2))
    assert last.points == D("2") and not last.capped_reason  # 48 + 2 = 50 exactly: not cut
    over = award(cast.member_a1, "reading_club", dt.date(2026, 11, 3))
    assert over.points == 0
    assert "基础分年度上限50" in over.capped_reason
    assert total(cast.member_a1) == D("50")


def test_the_block_cap_cuts_in_part_and_other_blocks_still_count(cast, catalogue):
    for week in range(24):
        award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(weeks=week))
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 10, 5))  # 49
    part = award(cast.member_a1, "reading_club", dt.date(2026, 10, 6))
    assert (part.points, part.capped_from) == (D("1"), D("2"))
    assert award(cast.member_a1, "micro_lecture", dt.date(2026, 10, 7)).points == D("5")
    assert total(cast.member_a1) == D("55")


def test_a_reversal_frees_room_under_the_cap(cast, catalogue):
    entry = award(cast.member_a1, "theory_study", MONDAY)
    services.reverse_automatic(actor=None, source_type="test", source_id=entry.source_id, reason="记录有误")
    assert award(cast.member_a1, "theory_study", MONDAY + dt.timedelta(days=1)).points == D("2")
