"""必看 reminders: on a reminder day each branch with members who have not finished gets one digest per video
(an SMS to its secretary/组织委员/contact, an in-site notice to its branch-role users) through the outbox;
a second run the same day writes nothing; a branch where everyone finished gets nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_member
from learning.jobs import watch_reminders
from learning.models import WatchProgress
from learning.services import videos as svc
from learning.services.reminders import send_watch_reminders
from notifications.models import Message
from ops import schedule
from orgs.models import Member, Position

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 20)
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def assignment(cast):
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "榜样", "先进典型", 600)
    )
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    make_member(cast.branch_a2, "孙二")  # a branch with no post holders or role users: nobody to tell
    return svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", DAY + dt.timedelta(days=3)),
        today=DAY,
    )


def test_one_digest_per_branch_and_video_once_a_day(cast, assignment):
    report = send_watch_reminders(day=DAY)
    sms = Message.objects.filter(channel="sms", dedupe_key__startswith="learn-watch:")
    site = Message.objects.filter(channel="site", dedupe_key__startswith="learn-watch:")
    assert report.assignments == 1 and report.digests == 2  # branch_a1 and branch_a2
    (text,) = {m.body for m in sms}
    assert sms.count() == 1 and sms.get().recipient_name == "李建国"  # the secretary of branch_a1
    assert "《榜样》" in text and "李建国" in text and "王0华" in text
    assert {m.recipient for m in site} == {cast.secretary}
    assert send_watch_reminders(day=DAY).messages == 0  # the same day again: nothing new
    assert Message.objects.filter(dedupe_key__startswith="learn-watch:").count() == sms.count() + site.count()


def test_a_branch_that_finished_gets_nothing_and_off_days_send_nothing(cast, assignment):
    for m in Member.objects.filter(org=cast.branch_a1):
        WatchProgress.objects.create(
            member=m, video=assignment.video, credited=600, completed_at=timezone.now()
        )
    report = send_watch_reminders(day=DAY)
    assert not Message.objects.filter(org=cast.branch_a1, dedupe_key__startswith="learn-watch:").exists()
    assert report.digests == len({m.org_id for m in svc.completion(assignment).missing})
    assert send_watch_reminders(day=DAY + dt.timedelta(days=1)).assignments == 0  # 2 days before: not a day


def test_the_job_is_listed_in_the_schedule_from_nine():
    assert watch_reminders(dt.datetime(2026, 10, 20, 8, 59, tzinfo=SH)) == []
    (slot,) = watch_reminders(dt.datetime(2026, 10, 20, 9, 0, tzinfo=SH))
    assert (slot.job, slot.run_key, slot.args) == ("learning_watch_reminders", "2026-10-20", ("2026-10-20",))
    assert "learning_watch_reminders" in {
        s.job for s in schedule.due_slots(dt.datetime(2026, 10, 20, 9, 0, tzinfo=SH))
    }
