"""学时折算标准 (RULES.md L-06): the first version is RULES' local convention; a new version applies from its date
on, and hours earned before it never change (meetings, lessons); the department admin's form refuses bad
versions with Chinese errors; who may read the versions and who may publish one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from learning import services
from learning.conversions import conversion_on
from learning.defaults import rules
from learning.models import Conversion, StudyEntry
from learning.selectors import account_lines, account_rows
from learning.services.conversions import ConversionData, publish_conversion
from orglife.models import MeetingRecord
from orglife.tests.stats_fixtures import SHANGHAI, make_record
from orgs.models import Member

pytestmark = pytest.mark.django_db

D = Decimal
VERSION_DAY = dt.date(2026, 6, 1)


def meeting(org, meeting_type: str, start: dt.datetime, hours: int = 2, present: int = 4) -> MeetingRecord:
    """An approved study meeting starting at `start` (Beijing time) with the branch's first members present."""
    record = make_record(
        org,
        meeting_type,
        start.date().replace(day=1),
        present=present,
        refresh=False,
        topic=f"{start:%m%d}学习",
    )
    MeetingRecord.objects.filter(pk=record.pk).update(
        started_at=start, ended_at=start + dt.timedelta(hours=hours)
    )
    record.refresh_from_db()
    return record


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def version(
    cast, effective_from=VERSION_DAY, per_hour="1.5", today=dt.date(2026, 5, 20), **values
) -> Conversion:
    data = ConversionData(
        effective_from=effective_from,
        hours_per_day=D(values.get("per_day", "7")),
        hours_per_half_day=D(values.get("per_half_day", "3.5")),
        study_hours_per_hour=D(per_hour),
        document="示范县委组织部〔2026〕12号",
    )
    return publish_conversion(actor=cast.dept_admin, data=data, today=today)


def hours_of(member: Member, year: int = 2026) -> Decimal:
    return account_rows(Member.objects.filter(pk=member.pk), year)[0].hours


def test_the_first_version_is_rules_l06_and_the_settings_no_longer_hold_it(cast, settings):
    first = Conversion.objects.get()
    assert first.effective_from == dt.date(2000, 1, 1)
    assert (first.hours_per_day, first.hours_per_half_day, first.study_hours_per_hour) == (D(8), D(4), D(1))
    assert "L-06" in first.document
    assert conversion_on(dt.date(2026, 11, 20)) == first
    with pytest.raises(Conversion.DoesNotExist):
        conversion_on(dt.date(1999, 12, 31))
    settings.LEARNING_RULES = {"study_hours_per_hour": 2}
    with pytest.raises(ValueError, match="学时折算标准"):
        rules()


def test_a_new_version_applies_from_its_date_and_hours_earned_before_it_do_not_change(cast):
    member = Member.objects.filter(org=cast.branch_a1).order_by("pk").first()
    march = meeting(cast.branch_a1, "lecture", at(dt.date(2026, 3, 10)))  # 2 hours at 1 an hour
    # The evening before the version and just after midnight on its first day (Beijing time: the activity's
    # date is the local date the meeting started on, whatever the database's time zone).
    eve = meeting(cast.branch_a1, "theme_day", at(dt.date(2026, 5, 31), 23, 0))
    lesson_day = march.started_at.astimezone(SHANGHAI).date()
    lesson = services.give_lesson(
        actor=cast.secretary,
        data=services.LessonData(cast.branch_a1, cast.member_a1, "学党章", lesson_day, 60, record=march),
        today=dt.date(2026, 5, 20),
    )
    assert {e.hours for e in lesson.entries.all()} == {D("1")}
    before_rows = hours_of(member)
    before_lines = [(line.day, line.hours) for line in account_lines(member, 2026)]
    assert before_rows == D("2") + D("2") + D("1")

    new = version(cast)

    # Nothing earned before 1 June changes: the meetings, the lesson's entries, the lines and the total.
    assert hours_of(member) == before_rows
    assert [(line.day, line.hours) for line in account_lines(member, 2026)] == before_lines
    assert {e.hours for e in StudyEntry.objects.filter(lesson=lesson)} == {D("1")}
    assert conversion_on(dt.date(2026, 5, 31)).study_hours_per_hour == D("1")
    assert conversion_on(VERSION_DAY) == new

    # From 1 June on, the new rate: 2 hours of study count 3.
    midnight = meeting(cast.branch_a1, "theme_day", at(VERSION_DAY, 0, 30))
    june = meeting(cast.branch_a1, "lecture", at(dt.date(2026, 6, 15)))
    lines = {line.title: line.hours for line in account_lines(member, 2026)}
    assert lines[march.topic] == D("2") and lines[eve.topic] == D("2")
    assert lines[midnight.topic] == D("3") and lines[june.topic] == D("3")
    assert hours_of(member) == D("2") + D("2") + D("1") + D("3") + D("3")
    row = account_rows(Member.objects.filter(pk=member.pk), 2026)[0]
    assert row.from_orglife == D("10") == sum(h for t, h in lines.items() if not t.startswith("微党课"))

    # A lesson converts at the version in force on the day it was given, not the day it was recorded.
    late = services.give_lesson(
        actor=cast.secretary,
        data=services.LessonData(
            cast.branch_a1, cast.member_a1, "补登", eve.started_at.astimezone(SHANGHAI).date(), 60, record=eve
        ),
        today=dt.date(2026, 6, 20),
    )
    assert {e.hours for e in late.entries.all()} == {D("1")}
    after = services.give_lesson(
        actor=cast.secretary,
        data=services.LessonData(
            cast.branch_a1, cast.member_a1, "新标准", dt.date(2026, 6, 15), 60, record=june
        ),
        today=dt.date(2026, 6, 20),
    )
    assert {e.hours for e in after.entries.all()} == {D("1.5")}


def test_the_bulk_lesson_path_converts_each_lesson_at_its_own_date(cast):
    version(cast)
    may = meeting(cast.branch_a1, "lecture", at(dt.date(2026, 5, 12)))
    july = meeting(cast.branch_a1, "lecture", at(dt.date(2026, 7, 14)))
    lessons = services.add_lessons(
        items=[
            services.LessonData(cast.branch_a1, cast.member_a1, "五月", dt.date(2026, 5, 12), 40, record=may),
            services.LessonData(
                cast.branch_a1, cast.member_a1, "七月", dt.date(2026, 7, 14), 40, record=july
            ),
        ],
        today=dt.date(2026, 8, 1),
    )
    hours = [{e.hours for e in lesson.entries.all()} for lesson in lessons]
    assert hours == [{D("0.5")}, {D("1")}]  # 40 minutes: 0.67 → 0.5 at 1 an hour, 1.0 at 1.5 an hour


def test_a_year_with_two_versions_splits_a_member_s_meetings_by_date(cast):
    version(cast, effective_from=dt.date(2026, 6, 1), per_hour="1.5")
    version(cast, effective_from=dt.date(2026, 9, 1), per_hour="0.5", today=dt.date(2026, 7, 1))
    for day in (dt.date(2026, 2, 3), dt.date(2026, 7, 8), dt.date(2026, 10, 9)):
        meeting(cast.branch_a1, "lecture", at(day))
    member = Member.objects.filter(org=cast.branch_a1).order_by("pk").first()
    assert hours_of(member) == D("2") + D("3") + D("1")
    assert hours_of(member, 2025) == D("0")


def test_the_department_admin_publishes_a_version_through_the_form(cast):
    client = cast.client(cast.dept_admin)
    with time_machine.travel(at(dt.date(2026, 11, 20), 10), tick=False):
        form = client.get(reverse("learning:conversion_new")).content.decode()
        assert 'value="2026-11-21"' in form and 'value="8"' in form and 'value="4"' in form
        response = client.post(
            reverse("learning:conversion_new"),
            {
                "effective_from": "2027-01-01",
                "hours_per_day": "8",
                "hours_per_half_day": "4",
                "study_hours_per_hour": "1.5",
                "document": "示范县委组织部〔2026〕12号",
                "note": "集中学习提高折算",
            },
        )
        assert response.status_code == 302 and response.url == reverse("learning:conversion_list")
        listing = client.get(reverse("learning:conversion_list")).content.decode()
    new = Conversion.objects.get(effective_from=dt.date(2027, 1, 1))
    assert new.created_by == cast.dept_admin and new.study_hours_per_hour == D("1.5")
    assert listing.index("2027年1月1日起适用") < listing.index("2000年1月1日起适用")  # newest first
    assert "待生效" in listing and "现行版本" in listing
    assert "集中学习每小时折合学时：1 → 1.5" in listing and "示范县委组织部〔2026〕12号" in listing
    assert AuditEvent.objects.filter(action="create", target_repr__contains="示范县委组织部").exists()


GOOD = {
    "effective_from": "2027-01-01",
    "hours_per_day": "8",
    "hours_per_half_day": "4",
    "study_hours_per_hour": "1",
    "document": "示范县委组织部〔2026〕12号",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"effective_from": "2026-11-20"}, "effective_from", "生效日期最早为明天"),
        ({"effective_from": "2026-03-01"}, "effective_from", "不能追溯修改"),
        ({"effective_from": "2027-02-30"}, "effective_from", "请输入有效的日期"),
        ({"effective_from": ""}, "effective_from", "请填写生效日期"),
        ({"hours_per_day": "0"}, "hours_per_day", "全天培训折合学时应为正数"),
        ({"hours_per_half_day": "-2"}, "hours_per_half_day", "半天讲座折合学时应为正数"),
        ({"study_hours_per_hour": "abc"}, "study_hours_per_hour", "集中学习每小时折合学时应为数字"),
        ({"study_hours_per_hour": "0.125"}, "study_hours_per_hour", "最多保留2位小数"),
        ({"hours_per_day": "30"}, "hours_per_day", "不能超过24"),
        ({"hours_per_half_day": "9"}, "hours_per_half_day", "半天讲座折合学时不能多于全天培训折合学时"),
        ({"document": "  "}, "document", "请填写依据"),
    ],
)
def test_the_form_refuses_a_bad_version_in_chinese(cast, changes, field, message):
    client = cast.client(cast.dept_admin)
    with time_machine.travel(at(dt.date(2026, 11, 20), 10), tick=False):
        response = client.post(reverse("learning:conversion_new"), {**GOOD, **changes})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert Conversion.objects.count() == 1


def test_a_version_must_start_after_the_latest_one(cast):
    version(cast, effective_from=dt.date(2027, 3, 1), today=dt.date(2026, 11, 20), per_day="10")
    client = cast.client(cast.dept_admin)
    with time_machine.travel(at(dt.date(2026, 11, 20), 10), tick=False):
        for day in ("2027-02-01", "2027-03-01"):
            response = client.post(reverse("learning:conversion_new"), {**GOOD, "effective_from": day})
            assert "生效日期应晚于最新版本的生效日期（2027-03-01）" in response.content.decode()
        form = client.get(reverse("learning:conversion_new")).content.decode()
        # The form starts from the latest version: its day after, its values as typed (10, not 1E+1).
        assert 'value="2027-03-02"' in form and 'value="10"' in form and 'value="1.5"' in form
    assert Conversion.objects.count() == 2


def test_the_list_has_an_empty_state(cast):
    Conversion.objects.all().delete()
    page = cast.client(cast.dept_admin).get(reverse("learning:conversion_list")).content.decode()
    assert "尚无学时折算标准，请发布第一个版本" in page
    viewer_page = cast.client(cast.viewer).get(reverse("learning:conversion_list")).content.decode()
    assert "尚无学时折算标准" in viewer_page and "请发布第一个版本" not in viewer_page


def test_the_ledger_links_the_table_and_shows_the_rate_in_force(cast):
    page = cast.client(cast.committee_admin).get(reverse("learning:hours")).content.decode()
    assert reverse("learning:conversion_list") in page and "现行：每小时 1 学时" in page
    form = cast.client(cast.committee_admin).get(reverse("learning:training_new")).content.decode()
    assert "全天培训每天折合 8 学时、半天讲座 4 学时" in form


def test_who_reads_the_versions_and_who_publishes_one(cast, client):
    listing, new = reverse("learning:conversion_list"), reverse("learning:conversion_new")
    # Anonymous: to the login page.
    for url in (listing, new):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert client.post(new, GOOD).status_code == 302
    # Every staff role reads the versions (they convert its hours); only the department admin sees the button.
    for user in (cast.viewer, cast.outsider, cast.committee_admin, cast.secretary, cast.dept_admin):
        page = cast.client(user).get(listing)
        assert page.status_code == 200, user
        assert (f'href="{new}"' in page.content.decode()) == (user == cast.dept_admin), user
    # The read-only viewer, the outsider (a secretary elsewhere) and a committee admin may not publish.
    for user in (cast.viewer, cast.outsider, cast.committee_admin):
        assert cast.client(user).get(new).status_code == 403, user
        assert cast.client(user).post(new, GOOD).status_code == 403, user
    # A member without a tree role does not see these pages at all.
    for url in (listing, new):
        assert cast.client(cast.member_user).get(url).status_code == 404
    assert cast.client(cast.dept_admin).get(new).status_code == 200
    assert Conversion.objects.count() == 1
    with pytest.raises(PermissionDenied):
        publish_conversion(
            actor=cast.committee_admin,
            data=ConversionData(VERSION_DAY, D(8), D(4), D(1), "文件"),
            today=dt.date(2026, 5, 1),
        )
    with pytest.raises(ValidationError):
        publish_conversion(
            actor=cast.dept_admin,
            data=ConversionData(VERSION_DAY, D(8), D(4), D(0), "文件"),
            today=dt.date(2026, 5, 1),
        )
