"""Reminder digests: one per person and channel, naming every missing item, never twice."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_member, make_org
from notifications.models import Message
from orglife.models import MeetingRecord
from orglife.selectors.stats import missing_items
from orglife.services import reminders
from orglife.services.reminders import bulk_missing, send_reminders
from orgs.models import Position

OCT = dt.date(2026, 10, 1)
REMINDER_DAY = dt.date(2026, 10, 20)


def post(member, org, title):
    return Position.objects.create(member=member, org=org, title=title, started_on=dt.date(2024, 1, 1))


def held(org, meeting_type, month=OCT, group=None):
    start = timezone.make_aware(dt.datetime(month.year, month.month, 10, 9))
    return MeetingRecord.objects.create(
        org=org,
        group=group,
        meeting_type=meeting_type,
        month=month,
        topic="学习",
        started_at=start,
        ended_at=start + dt.timedelta(hours=1),
        place="会议室",
        host_name="李建国",
        recorder_name="王华",
        content="内容",
        status=MeetingRecord.Status.APPROVED,
    )


@pytest.fixture
def posts(cast):
    # 李建国 is both secretary and 组织委员 of branch_a1; 陈芳 is its contact; a former contact has left.
    contact = make_member(cast.branch_a1, "陈芳", phone="13600002222")
    former = make_member(cast.branch_a1, "周强", phone="13600003333")
    post(cast.member_a1, cast.branch_a1, "secretary")
    post(cast.member_a1, cast.branch_a1, "organization")
    post(contact, cast.branch_a1, "contact")
    Position.objects.create(
        member=former,
        org=cast.branch_a1,
        title="contact",
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2023, 1, 1),
    )
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
    assert set(sms.values_list("phone_masked", flat=True)) == {"139******34", "136******22"}
    notices = Message.objects.filter(org=cast.branch_a1, channel="site")
    # The branch's secretary account by grant, and 李建国's own account (member_user): he gets the SMS too.
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(
        [cast.secretary.pk, cast.member_user.pk]
    )


def test_whoever_gets_the_sms_and_has_an_account_sees_it_in_the_site(cast, posts):
    send_reminders(day=REMINDER_DAY)
    sms = sms_for(cast.branch_a1).get(recipient_name="李建国")
    notice = Message.objects.get(org=cast.branch_a1, channel="site", recipient=cast.member_user)
    assert notice.body == sms.body and notice.read_at is None
    page = cast.client(cast.member_user).get("/notifications/").content.decode()
    assert "请及时组织并上传纪实" in page
    send_reminders(day=REMINDER_DAY)  # the same day again: still one
    assert Message.objects.filter(org=cast.branch_a1, channel="site", recipient=cast.member_user).count() == 1


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
    # the rule set and its rules, the range's last path, its branches, groups, grouped record counts
    with django_assert_max_num_queries(6):
        bulk_missing(OCT)


def test_the_command_sends_for_a_given_date(cast, posts):
    call_command("orglife_send_reminders", "--date", "2026-10-20")
    assert sms_for(cast.branch_a1).count() == 2


def test_ranges_cover_every_branch_once_and_keep_subtrees_whole(cast):
    from orglife.rules import LIFE_KINDS
    from orglife.services.reminders import branch_ranges
    from orgs.models import Organization

    # A 党总支 with a branch under it: a range ending at the 总支 must take the branch below too.
    general = make_org(cast.committee_a, "第三党总支", "general_branch", "ZZ0003")
    inner = make_org(general, "总支下属支部", "branch", "ZB0001")
    everything = list(
        Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    for size in (1, 2, 3, 1000):
        ranges = list(branch_ranges(size=size))
        seen = [b.pk for r in ranges for b in r.branches]
        assert seen == everything
        for r in ranges:
            if general.pk in {b.pk for b in r.branches}:
                assert inner.pk in {b.pk for b in r.branches}
    under_a = list(branch_ranges(cast.committee_a, size=1))
    assert {b.pk for r in under_a for b in r.branches} == {
        cast.branch_a1.pk,
        cast.branch_a2.pk,
        general.pk,
        inner.pk,
    }


def test_small_ranges_send_what_one_range_sends(cast, posts, monkeypatch):
    whole = send_reminders(day=REMINDER_DAY)
    sent = sorted(Message.objects.values_list("dedupe_key", "body"))
    Message.objects.all().delete()
    monkeypatch.setattr(reminders, "CHUNK", 1)
    split = send_reminders(day=REMINDER_DAY)
    assert sorted(Message.objects.values_list("dedupe_key", "body")) == sent
    assert (split.branches, split.sms, split.notices) == (whole.branches, whole.sms, whole.notices)
    assert split.by_branch == whole.by_branch
