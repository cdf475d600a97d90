"""Helpers shared by the plan tests: time travel in Shanghai time, and plan items filled in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from orglife.models import MeetingType
from orglife.services.plans import PlanItemData, prompt_items

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0):
    """Travel to a wall-clock time in Asia/Shanghai, frozen."""
    return time_machine.travel(
        dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI), tick=False
    )


def filled(org, month: dt.date) -> list[PlanItemData]:
    """The 提示单 for the month with every item completed (date, place, topic, host, lecturer)."""
    items = prompt_items(org, month)
    for n, item in enumerate(items, start=1):
        item.planned_on = item.planned_on or month.replace(day=min(n, 28))
        item.place = "党员活动室"
        item.topic = f"学习议题{n}"
        item.host_name = "李建国"
        if item.meeting_type == MeetingType.LECTURE:
            item.lecturer_name = "王书记"
    return items
