"""Rows for the stats and patrol tests, written directly (the record and plan services are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import make_user
from orglife.models import Attendance, MeetingRecord, MonthlyPlan, PlanItem
from orglife.periods import SHANGHAI
from orglife.services.stats import refresh_after_change
from orgs.models import Member, Organization
from orgs.roles import Role

_day = [0]


def make_record(
    org: Organization,
    meeting_type: str,
    month: dt.date,
    *,
    status: str = MeetingRecord.Status.APPROVED,
    group: Organization | None = None,
    present: int = 0,
    absent: int = 0,
    planned: bool = False,
    refresh: bool = True,
    **extra: Any,
) -> MeetingRecord:
    """An approved record of `month` with attendance taken from the branch's members, stats refreshed."""
    _day[0] = _day[0] % 27 + 1
    start = dt.datetime(month.year, month.month, _day[0], 9, 0, tzinfo=SHANGHAI)
    plan_item = None
    if planned:
        plan, _ = MonthlyPlan.objects.get_or_create(
            org=org, month=month, defaults={"status": MonthlyPlan.Status.APPROVED}
        )
        plan_item = PlanItem.objects.create(plan=plan, meeting_type=meeting_type, group=group, required=True)
    record = MeetingRecord.objects.create(
        org=org,
        group=group,
        meeting_type=meeting_type,
        month=month,
        plan_item=plan_item,
        topic=extra.pop("topic", f"{meeting_type}学习"),
        started_at=start,
        ended_at=start + dt.timedelta(hours=2),
        place="党员活动室",
        host_name="李建国",
        recorder_name="王华",
        content="传达学习会议精神，讨论本月工作。",
        status=status,
        **extra,
    )
    members = list(Member.objects.filter(org=org).order_by("pk")[: present + absent])
    Attendance.objects.bulk_create(
        [
            Attendance(record=record, member=m, status="present" if i < present else "absent")
            for i, m in enumerate(members)
        ]
    )
    if refresh:
        refresh_after_change(org, month)
    return record


def patrol_user(cast: Any, org: Organization | None = None) -> Any:
    return make_user("patrol", Role.PATROL, org or cast.committee_a)
