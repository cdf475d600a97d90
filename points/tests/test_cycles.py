"""Monthly notice and its objection window; the below-pass list at its edge; interviews; commendations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_member
from orgs.models import Member
from points import selectors, services
from points.models import LedgerEntry, PointRule
from points.services.ledger import write_entries
from points.tests.helpers import award

PUBLISHED = dt.date(2026, 9, 2)


def book(member, points, code="micro_lecture", day=dt.date(2026, 6, 1)):
    """An entry of exactly `points` (the list is about the threshold, not about caps)."""
    rule = PointRule.objects.get(code=code)
    entry = LedgerEntry(
        member=member,
        org=member.org,
        rule=rule,
        item_code=code,
        block_code=rule.block.code,
        occurred_on=day,
        points=Decimal(points),
        source_type="test",
        created_at=timezone.now(),
    )
    return write_entries([entry])[0]  # the ledger's one insert path: the yearly balance follows


@pytest.fixture
def notice(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 8, 3))
    award(cast.member_a1, "theory_study", dt.date(2026, 7, 6))
    return services.publish_notice(
        actor=cast.secretary, org=cast.branch_a1, year=2026, month=8, today=PUBLISHED
    )


def test_the_notice_freezes_month_and_year_points(cast, notice):
    line = notice.lines.get(member=cast.member_a1)
    assert (line.month_points, line.year_points) == (Decimal("2"), Decimal("4"))
    assert notice.lines.count() == Member.objects.filter(org=cast.branch_a1).count()
    assert notice.objection_until == PUBLISHED + dt.timedelta(days=7)


def test_a_member_objects_within_the_window_and_on_its_last_day(cast, notice):
    services.raise_objection(
        actor=cast.member_user, notice=notice, text="8月4日读书会未计入", today=PUBLISHED
    )
    last = notice.objection_until
    services.raise_objection(actor=cast.member_user, notice=notice, text="补充", today=last)
    assert notice.objections.count() == 2


def test_after_the_window_no_objection_is_taken(cast, notice):
    with pytest.raises(ValidationError, match="公示期已于"):
        services.raise_objection(
            actor=cast.member_user,
            notice=notice,
            text="晚了",
            today=notice.objection_until + dt.timedelta(days=1),
        )


def test_only_members_shown_the_notice_object(cast, notice):
    with pytest.raises(PermissionDenied):
        services.raise_objection(actor=cast.secretary, notice=notice, text="x", today=PUBLISHED)


def test_the_branch_must_answer_and_a_reader_cannot(cast, notice):
    objection = services.raise_objection(actor=cast.member_user, notice=notice, text="x", today=PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.answer_objection(actor=cast.viewer, objection=objection, answer="y")
    services.answer_objection(actor=cast.secretary, objection=objection, answer="已核实，补记2分")
    objection.refresh_from_db()
    assert objection.is_answered and objection.answered_by == cast.secretary


def test_a_month_is_published_once(cast, notice):
    with pytest.raises(ValidationError):
        services.publish_notice(actor=cast.secretary, org=cast.branch_a1, year=2026, month=8, today=PUBLISHED)


def test_the_below_pass_list_takes_59_5_and_leaves_60(cast, catalogue):
    just_under = make_member(cast.branch_a2, "周五九")
    exactly = make_member(cast.branch_a2, "吴六十")
    book(just_under, "29.5")
    book(just_under, "30", code="theory_study")
    book(exactly, "30")
    book(exactly, "30", code="theory_study")
    below = selectors.below_pass(Member.objects.filter(org=cast.branch_a2), 2026, Decimal("60"))
    totals = {m.name: m.total for m in below}
    assert totals["周五九"] == Decimal("59.5")
    assert "吴六十" not in totals


def test_a_member_without_entries_is_on_the_list(cast, catalogue):
    below = selectors.below_pass(Member.objects.filter(pk=cast.member_b1.pk), 2026, Decimal("60"))
    assert [(m.pk, m.total) for m in below] == [(cast.member_b1.pk, 0)]


def test_an_interview_is_recorded_below_the_mark_only(cast, catalogue):
    book(cast.member_a1, "59.5")
    interview = services.record_interview(
        actor=cast.secretary,
        member=cast.member_a1,
        year=2026,
        held_on=dt.date(2027, 1, 10),
        interviewer="支部书记",
        notes="谈心谈话",
    )
    assert interview.total == Decimal("59.5")
    other = make_member(cast.branch_a1, "钱满分")
    book(other, "60")
    with pytest.raises(ValidationError, match="无需约谈"):
        services.record_interview(
            actor=cast.secretary,
            member=other,
            year=2026,
            held_on=dt.date(2027, 1, 10),
            interviewer="支部书记",
            notes="x",
        )


def test_commendations_take_top_scorers_and_journal_authors(cast, catalogue):
    book(cast.member_a1, "80")
    author = make_member(cast.branch_a2, "孙作者")
    book(author, "55")
    book(author, "5", code="journal_article")
    rows = selectors.commendations(Member.objects.all(), 2026, top=1, pass_mark=Decimal("60"))
    assert [(m.name, reason) for m, reason in rows] == [
        ("李建国", "年度积分第1名"),
        ("孙作者", "在重要刊物发表相关文章"),
    ]


def test_a_journal_author_below_the_pass_mark_is_not_commended(cast, catalogue):
    """Below 60 for the year a member is ineligible for 评优评先, whatever they published."""
    author = make_member(cast.branch_a2, "孙作者")
    book(author, "5", code="journal_article")
    rows = selectors.commendations(Member.objects.all(), 2026, top=10, pass_mark=Decimal("60"))
    assert rows == []


def test_the_commendation_page_lists_the_author_at_the_line_and_not_below_it(cast, catalogue):
    at_line = make_member(cast.branch_a2, "孙作者")
    book(at_line, "55")
    book(at_line, "5", code="journal_article")
    below = make_member(cast.branch_a2, "钱五分")
    book(below, "5", code="journal_article")
    response = cast.client(cast.dept_admin).get("/points/commendations/?year=2026")
    names = [m.name for m, _ in response.context["rows"]]
    assert "孙作者" in names and "钱五分" not in names


def test_the_top_scorers_below_the_pass_mark_are_not_commended(cast, catalogue):
    book(cast.member_a1, "59.5")
    rows = selectors.commendations(Member.objects.all(), 2026, top=3, pass_mark=Decimal("60"))
    assert rows == []
