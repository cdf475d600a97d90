"""到期提醒: an overdue talk goes into the branch's digest once, then the committee's at 7 days overdue and
the department's at 14; running the job again the same day or the next writes nothing twice."""

import datetime as dt

import pytest
import time_machine

from conftest import make_user
from development.models import Reminder
from development.services.reminders import send_reminders
from development.tests import fixtures_dev as f
from notifications.models import Message
from ops import schedule
from orgs.models import Position
from orgs.roles import Role

TODAY = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def applied(cast):
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2020, 1, 1)
    )
    make_user("branch_admin_a1", Role.BRANCH_ADMIN, cast.branch_a1)
    with time_machine.travel(TODAY):
        return f.applicant(cast, name="钱申请", applied_on=dt.date(2025, 9, 1))  # talk due 2025-10-01


def test_each_item_goes_out_once_per_level(cast, applied):
    send_reminders(day=dt.date(2025, 9, 20))  # 11 days before: nothing yet
    assert not Reminder.objects.exists()
    first = send_reminders(day=dt.date(2025, 9, 24))  # 7 days before: the branch
    assert first.items == 1 and first.by_level == {"branch": 1}
    sms = Message.objects.filter(channel="sms")
    assert sms.count() == 1 and "钱申请派人谈话10月01日到期（D-03）" in sms.get().body
    assert Message.objects.filter(channel="site", recipient__username="branch_admin_a1").count() == 1
    assert Message.objects.filter(channel="site", recipient=cast.secretary).count() == 1
    again = send_reminders(day=dt.date(2025, 9, 24))
    later = send_reminders(day=dt.date(2025, 9, 30))
    assert again.items == later.items == 0 and Message.objects.count() == 3
    send_reminders(day=dt.date(2025, 10, 8))  # 7 days overdue: the committee
    assert Message.objects.filter(recipient=cast.committee_admin).count() == 1
    assert not Message.objects.filter(recipient=cast.dept_admin).exists()
    send_reminders(day=dt.date(2025, 10, 15))  # 14 days overdue: the department
    assert Message.objects.filter(recipient=cast.dept_admin).count() == 1
    assert "已逾期14天" in Message.objects.get(recipient=cast.dept_admin).body
    assert Reminder.objects.count() == 3


def test_a_recorded_talk_leaves_the_reminders(cast, applied):
    with time_machine.travel(TODAY):
        f.svc.record_talk(actor=cast.secretary, person=applied, on=dt.date(2025, 9, 24))
    assert send_reminders(day=dt.date(2025, 10, 20)).items == 0


def test_the_reminder_job_is_due_daily_from_half_past_eight_local_time(db):
    sh = dt.timezone(dt.timedelta(hours=8))

    def slots(when):
        return [s for s in schedule.due_slots(when) if s.job == "development_reminders"]

    assert slots(dt.datetime(2026, 10, 5, 8, 29, tzinfo=sh)) == []
    (slot,) = slots(dt.datetime(2026, 10, 5, 8, 30, tzinfo=sh))
    assert slot.run_key == "2026-10-05" and slot.task_path == "development.tasks.send_reminders_task"
