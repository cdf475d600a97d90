"""Reminder digests: one per person and channel, naming every missing item, never twice."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_member
from notifications.models import Message
from orglife.models import MeetingRecord
from orglife.services_reminders import bulk_missing, send_reminders
from orglife.stats import missing_items
from orgs.models import Position

OCT = dt.date(2026, 10, 1)
REMINDER_DAY = dt.date(2026, 10, 20)


def post(member, org, title):
    return Position.objects.create(member=member, org=org, title=title, started_on=dt.date(2024, 1, 1))


def held(org, meeting_type, month=OCT, group=None):
    start = timezone.make_aware(dt.datetime(month.year, month.month, 10, 9))
    return MeetingRecord.objects.create(
        org=org, group=group, meeting_type=meeting_type, month=month, topic="学习", started_at=start,
        ended_at=start + dt.timedelta(hours=1), place="会议室", host_name="李建国", recorder_name="王华",
        content="内容", status=MeetingRecord.Status.APPROVED,
    )  # fmt: skip


@pytest.fixture
def posts(cast):
    # 李建国 is both secretary and 组织委员 of branch_a1; 陈芳 is its contact; a former contact has left.
    contact = make_member(cast.branch_a1, "陈芳", phone="13600002222")
    former = make_member(cast.branch_a1, "周强", phone="13600003333")
    post(cast.member_a1, cast.branch_a1, "secretary")
    post(cast.member_a1, cast.branch_a1, "organization")
    post(contact, cast.branch_a1, "contact")
    Position.objects.create(member=former, org=cast.branch_a1, title="contact", started_on=dt.date(2020, 1, 1),
                            ended_on=dt.date(2023, 1, 1))  # fmt: skip
    return contact


def sms_for(org):
    return Message.objects.filter(org=org, channel="sms")


def test_the_digest_names_each_missing_item(cast, posts):
    send_reminders(day=REMINDER_DAY)
    bodies = set(sms_for(cast.branch_a1).values_list("body", flat=True))
    assert bodies == {
        "【先锋智慧党建】您支部本月尚未开展：支委会、党小组会（第一党小组）、主题党日，请及时组织并上传纪实。"
    }


def test_one_message_per_person_per_channel(cast, posts):
    send_reminders(day=REMINDER_DAY)
    sms = sms_for(cast.branch_a1)
    assert sorted(sms.values_list("recipient_name", flat=True)) == ["李建国", "陈芳"]  # two posts, one SMS
    assert set(sms.values_list("phone_masked", flat=True)) == {"139****1234", "136****2222"}
    notices = Message.objects.filter(org=cast.branch_a1, channel="site")
    assert list(notices.values_list("recipient", flat=True)) == [cast.secretary.pk]


def test_items_held_are_not_named(cast, posts):
    held(cast.branch_a1, "committee")
    held(cast.branch_a1, "group", group=cast.group_a1)
    send_reminders(day=REMINDER_DAY)
    assert sms_for(cast.branch_a1).first().body == (
        "【先锋智慧党建】您支部本月尚未开展：主题党日，请及时组织并上传纪实。"
    )


def test_a_branch_with_nothing_missing_gets_nothing(cast, posts):
    held(cast.branch_a2, "theme_day")
    post(make_member(cast.branch_a2, "吴敏"), cast.branch_a2, "secretary")
    report = send_reminders(day=REMINDER_DAY)
    assert cast.branch_a2.pk not in report.by_branch
    assert not Message.objects.filter(org=cast.branch_a2).exists()


def test_running_twice_on_the_same_day_sends_nothing_more(cast, posts):
    first = send_reminders(day=REMINDER_DAY)
    count = Message.objects.count()
    second = send_reminders(day=REMINDER_DAY)
    assert first.sms == 2 and second.sms == 0 and second.notices == 0
    assert Message.objects.count() == count


def test_the_second_reminder_day_of_the_month_reminds_again(cast, posts):
    send_reminders(day=REMINDER_DAY)
    send_reminders(day=dt.date(2026, 10, 28))
    assert sms_for(cast.branch_a1).count() == 4


def test_other_days_send_nothing(cast, posts):
    report = send_reminders(day=dt.date(2026, 10, 21))
    assert not report.reminder_day
    assert not Message.objects.exists()


def test_the_bulk_computation_agrees_with_the_per_branch_rule(cast, posts):
    held(cast.branch_a1, "committee")
    held(cast.branch_a2, "general_assembly", month=dt.date(2026, 11, 1))
    for month in (OCT, dt.date(2026, 12, 1)):
        bulk = bulk_missing(month)
        for org in (cast.branch_a1, cast.branch_a2, cast.branch_b1):
            assert bulk.get(org.pk, []) == missing_items(org, month)


def test_the_bulk_computation_uses_few_queries(cast, posts, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        bulk_missing(OCT)


def test_the_command_sends_for_a_given_date(cast, posts):
    call_command("orglife_send_reminders", "--date", "2026-10-20")
    assert sms_for(cast.branch_a1).count() == 2
