"""Rows for the observation and assessment tests, written with the plain ORM (selection and planning are
tested elsewhere): observers with logins, confirmed half-year plans, approved plan items, meeting records.

`build_world(cast)` adds to the shared cast (all at 2026-04-08, first half-year 2026):
observer_a (a member of branch_a2, 党委 A) assigned to branch_a1; observer_b (党委 B) assigned to branch_b1;
an approved plan of branch_a1 for April with a 主题党日 on 04-15 (item_a1) and one of branch_b1 (item_b1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from conftest import make_member, make_user
from observers.models import Assignment, AssignmentPlan, Observation, Observer
from orglife.models import Attendance, MeetingRecord, MonthlyPlan, PlanItem
from orglife.periods import SHANGHAI
from orglife.services.stats import refresh_after_change
from orgs.models import Member, Organization

NOW = dt.datetime(2026, 4, 8, 10, 0, tzinfo=SHANGHAI)
HALF = dt.date(2026, 1, 1)
APR = dt.date(2026, 4, 1)
MEETING_DAY = dt.date(2026, 4, 15)


def at(day: dt.date, hour: int = 10) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


_n = [0]


def make_observer(member: Member, committee: Organization, username: str, **extra: Any) -> Observer:
    _n[0] += 1
    user = make_user(username) if username else None
    return Observer.objects.create(
        member=member,
        committee=committee,
        user=user,
        letter_number=f"TH-GCY-{_n[0]:04d}",
        card_number=f"GZZ-{_n[0]:04d}",
        appointed_on=extra.pop("appointed_on", dt.date(2025, 3, 1)),
        **extra,
    )


def confirmed_plan(
    committee: Organization,
    start: dt.date,
    pairs: list[tuple[Observer, Organization]],
    *,
    cross: bool = False,
) -> AssignmentPlan:
    plan, _ = AssignmentPlan.objects.get_or_create(
        committee=committee, half_start=start, defaults={"status": AssignmentPlan.Status.CONFIRMED}
    )
    for observer, branch in pairs:
        Assignment.objects.create(plan=plan, observer=observer, branch=branch, is_cross=cross)
    return plan


def plan_item(
    branch: Organization, day: dt.date, meeting_type: str = "theme_day", *, status: str = "approved"
) -> PlanItem:
    plan, _ = MonthlyPlan.objects.get_or_create(
        org=branch, month=day.replace(day=1), defaults={"status": status}
    )
    return PlanItem.objects.create(
        plan=plan,
        meeting_type=meeting_type,
        planned_on=day,
        place="党员活动室",
        topic="学习贯彻全会精神",
        required=True,
    )


def meeting_record(
    branch: Organization,
    day: dt.date,
    meeting_type: str = "theme_day",
    *,
    item: PlanItem | None = None,
    present: int = 3,
) -> MeetingRecord:
    start = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)
    record = MeetingRecord.objects.create(
        org=branch,
        meeting_type=meeting_type,
        month=day.replace(day=1),
        plan_item=item,
        topic="学习贯彻全会精神",
        started_at=start,
        ended_at=start + dt.timedelta(hours=2),
        place="党员活动室",
        host_name="李建国",
        recorder_name="王华",
        content="传达学习会议精神，讨论本月工作。",
        status=MeetingRecord.Status.APPROVED,
    )
    members = list(Member.objects.filter(org=branch).order_by("pk")[:present])
    Attendance.objects.bulk_create([Attendance(record=record, member=m, status="present") for m in members])
    refresh_after_change(branch, record.month)
    return record


def observation(observer: Observer, branch: Organization, day: dt.date, **extra: Any) -> Observation:
    """An observation row written directly (submitted by default)."""
    extra.setdefault("status", Observation.Status.SUBMITTED)
    extra.setdefault("kind", Observation.Kind.DESIGNATED)
    if extra["status"] == Observation.Status.SUBMITTED:
        extra.setdefault("total", 90)
        extra.setdefault("grade", Observation.Grade.GOOD)
    return Observation.objects.create(observer=observer, branch=branch, observed_on=day, **extra)


def build_world(cast: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        cast.observer_a = make_observer(make_member(cast.branch_a2, "陈观察"), cast.committee_a, "observer_a")
        cast.observer_b = make_observer(make_member(cast.branch_b1, "周观察"), cast.committee_b, "observer_b")
        cast.plan_a = confirmed_plan(cast.committee_a, HALF, [(cast.observer_a, cast.branch_a1)])
        cast.plan_b = confirmed_plan(cast.committee_b, HALF, [(cast.observer_b, cast.branch_b1)])
        cast.item_a1 = plan_item(cast.branch_a1, MEETING_DAY)
        cast.item_a2 = plan_item(cast.branch_a2, MEETING_DAY)
        cast.item_b1 = plan_item(cast.branch_b1, dt.date(2026, 4, 20))
    return cast
