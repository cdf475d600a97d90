"""学时 accounts: requirements by post (L-01 32, L-02 56), exemption (L-07), the sources of hours (lessons heard,
trainings, offline study, the organizational-life study meetings attended), and the writes' rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from learning import services
from learning.models import StudyEntry
from learning.selectors import account_lines, account_rows
from orglife.tests.stats_fixtures import make_record
from orgs.models import Member, Position
from points.models import LedgerEntry
from points.tests.conftest import make_catalogue

D = Decimal
TODAY = dt.date(2026, 11, 20)


def rows_by_name(org, year=2026):
    return {r.member.name: r for r in account_rows(Member.objects.filter(org=org).order_by("pk"), year)}


def test_a_member_needs_32_hours_a_secretary_56_and_an_exempt_member_none(cast):
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    other = Member.objects.get(name="王0华")
    services.set_exemption(actor=cast.secretary, member=other, year=2026, reason="年老体弱")
    rows = rows_by_name(cast.branch_a1)
    assert rows["李建国"].requirement == D("56") and rows["李建国"].leader
    assert rows["王0华"].requirement is None and rows["王0华"].met
    assert rows["王1华"].requirement == D("32") and not rows["王1华"].met
    assert rows["王1华"].gap == D("32")
    # A post that ended before the year does not raise the requirement.
    assert rows_by_name(cast.branch_a1, 2023)["李建国"].requirement == D("32")


def test_study_meetings_attended_count_their_length_other_meetings_do_not(cast):
    make_record(cast.branch_a1, "lecture", dt.date(2026, 3, 1), present=4, refresh=False)  # 2 hours
    make_record(cast.branch_a1, "theme_day", dt.date(2026, 4, 1), present=2, absent=2, refresh=False)
    make_record(cast.branch_a1, "committee", dt.date(2026, 5, 1), present=4, refresh=False)
    make_record(cast.branch_a1, "lecture", dt.date(2026, 6, 1), present=4, status="submitted", refresh=False)
    rows = rows_by_name(cast.branch_a1)
    first = Member.objects.filter(org=cast.branch_a1).order_by("pk").first()
    assert rows[first.name].hours == D("4") and rows[first.name].from_orglife == D("4")
    assert rows["王2华"].hours == D("2")  # present at the lecture only
    lines = account_lines(first, 2026)
    assert [(line.source, line.hours) for line in lines] == [("主题党日", D("2")), ("党课", D("2"))]


def test_a_training_gives_each_attendee_its_hours_and_refuses_members_outside(cast):
    ids = list(Member.objects.filter(org=cast.branch_a1).values_list("pk", flat=True))
    data = services.TrainingData(
        cast.committee_a,
        "县直机关党员轮训",
        "县委党校",
        dt.date(2026, 5, 6),
        dt.date(2026, 5, 8),
        D("24"),
        ids,
    )
    training = services.record_training(actor=cast.committee_admin, data=data, today=TODAY)
    assert training.entries.count() == 4
    assert rows_by_name(cast.branch_a1)["王1华"].hours == D("24")
    assert AuditEvent.objects.filter(action="create", target_repr__contains="县直机关党员轮训").exists()
    outsider = services.TrainingData(
        cast.committee_a,
        "再一次",
        "县委党校",
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 1),
        D("8"),
        [*ids, cast.member_b1.pk],
    )
    with pytest.raises(ValidationError) as exc:
        services.record_training(actor=cast.committee_admin, data=outsider, today=TODAY)
    assert "不是该组织的党员" in str(exc.value)
    assert StudyEntry.objects.filter(training__name="再一次").count() == 0


@pytest.mark.parametrize(
    ("start", "end", "hours", "field", "text"),
    [
        (dt.date(2026, 5, 8), dt.date(2026, 5, 6), "8", "ends_on", "结束日期不能早于开始日期"),
        (dt.date(2026, 5, 6), dt.date(2026, 5, 6), "13", "hours", "最多登记 12 学时"),
        (dt.date(2026, 5, 6), dt.date(2026, 5, 6), "0", "hours", "学时应为正数"),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 2), "8", "starts_on", "已经开始"),
    ],
)
def test_a_bad_training_is_refused_with_a_clear_error(cast, start, end, hours, field, text):
    data = services.TrainingData(
        cast.branch_a1, "培训", "县委党校", start, end, D(hours), [cast.member_a1.pk]
    )
    with pytest.raises(ValidationError) as exc:
        services.record_training(actor=cast.secretary, data=data, today=TODAY)
    assert text in " ".join(exc.value.message_dict[field])


def test_only_writers_on_the_node_record_hours(cast):
    with pytest.raises(PermissionDenied):
        services.add_offline_hours(
            actor=cast.viewer,
            member=cast.member_a1,
            studied_on=TODAY,
            hours=D("2"),
            title="自学",
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        services.add_offline_hours(
            actor=cast.outsider,
            member=cast.member_a1,
            studied_on=TODAY,
            hours=D("2"),
            title="自学",
            today=TODAY,
        )
    entry = services.add_offline_hours(
        actor=cast.secretary,
        member=cast.member_a1,
        studied_on=TODAY,
        hours=D("2.5"),
        title="《党章》自学",
        today=TODAY,
    )
    assert rows_by_name(cast.branch_a1)["李建国"].hours == D("2.5")
    services.remove_entry(actor=cast.secretary, entry=entry)
    assert rows_by_name(cast.branch_a1)["李建国"].hours == D("0")


def test_a_lesson_gives_its_audience_hours_and_the_speaker_points_and_deleting_reverses_both(cast):
    make_catalogue(cast.county)
    record = make_record(cast.branch_a1, "theme_day", dt.date(2026, 9, 1), present=3, absent=1, refresh=False)
    day = record.started_at.date()
    data = services.LessonData(
        cast.branch_a1, cast.member_a1, "学习二十届三中全会精神", day, 30, record=record
    )
    lesson = services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
    assert lesson.entries.count() == 3 and {e.hours for e in lesson.entries.all()} == {D("0.5")}
    live = LedgerEntry.objects.filter(source_type="learning_lesson", source_id=str(lesson.pk))
    assert live.count() == 1 and live.get().member_id == cast.member_a1.pk
    services.delete_lesson(actor=cast.secretary, lesson=lesson, reason="重复登记")
    assert not StudyEntry.objects.filter(kind="lesson").exists()
    assert sum(e.points for e in LedgerEntry.objects.filter(source_type="learning_lesson")) == 0


def test_a_lesson_refuses_a_record_of_another_day_type_or_branch(cast):
    committee = make_record(cast.branch_a1, "committee", dt.date(2026, 9, 1), present=2, refresh=False)
    other = make_record(cast.branch_a2, "theme_day", dt.date(2026, 9, 1), refresh=False)
    for record, text in ((committee, "主题党日或党课"), (other, "不属于该组织")):
        data = services.LessonData(
            cast.branch_a1, cast.member_a1, "题目", record.started_at.date(), 20, record=record
        )
        with pytest.raises(ValidationError) as exc:
            services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
        assert text in exc.value.message_dict["record"][0]
    theme = make_record(cast.branch_a1, "theme_day", dt.date(2026, 10, 1), refresh=False)
    data = services.LessonData(
        cast.branch_a1,
        cast.member_a1,
        "题目",
        theme.started_at.date() + dt.timedelta(days=1),
        20,
        record=theme,
    )
    with pytest.raises(ValidationError, match="日期不一致"):
        services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
    data = services.LessonData(cast.branch_a1, cast.member_b1, "题目", TODAY, 200)
    with pytest.raises(ValidationError) as exc:
        services.give_lesson(actor=cast.secretary, data=data, today=TODAY)
    assert set(exc.value.message_dict) == {"speaker", "minutes"}


def test_overrides_in_settings_change_the_requirement(cast, settings):
    settings.LEARNING_RULES = {"general_hours": 40}
    assert rows_by_name(cast.branch_a1)["王1华"].requirement == D("40")
    settings.LEARNING_RULES = {"no_such_rule": 1}
    with pytest.raises(ValueError, match="unknown keys"):
        rows_by_name(cast.branch_a1)
