"""The time rules of member development as plain functions (RULES.md §4): the services refuse with
them, the deadline selector and the reminder job compute with them. Messages carry the rule id and its
source, e.g. 「D-13：党委审批超过6个月（…）」."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from development import defaults as d


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: dt.date, days: int) -> dt.date:
    """`days` working days (Monday to Friday) after `day` (public holidays are not modelled)."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def msg(rule: str, text: str) -> str:
    return f"{rule}：{text}（{d.SOURCES[rule]}）"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_error(birth: dt.date, applied_on: dt.date) -> str | None:
    if age_on(birth, applied_on) < d.MIN_AGE:
        return msg("D-01", f"递交申请时应年满{d.MIN_AGE}周岁")
    return None


def talk_due(applied_on: dt.date) -> dt.date:
    """D-03: the last day for the talk."""
    return add_months(applied_on, d.TALK_WITHIN_MONTHS)


def candidate_earliest(activist_on: dt.date) -> dt.date:
    """D-06: the first day an activist may become a 发展对象 (一年以上)."""
    return add_months(activist_on, d.ACTIVIST_MIN_MONTHS)


def assessment_gap_error(activist_on: dt.date, held: list[dt.date], until: dt.date) -> str | None:
    """D-05: from the activist date to `until`, no stretch longer than six months without an assessment."""
    last = activist_on
    for day in [*sorted(held), until]:
        if day > add_months(last, d.ASSESSMENT_EVERY_MONTHS):
            return msg("D-05", f"{last:%Y-%m-%d}之后超过{d.ASSESSMENT_EVERY_MONTHS}个月未进行培养考察")
        last = max(last, day)
    return None


def next_assessment_due(activist_on: dt.date, held: list[dt.date]) -> dt.date:
    return add_months(max([activist_on, *held]), d.ASSESSMENT_EVERY_MONTHS)


def training_enough(days: Decimal | None, hours: Decimal | None) -> bool:
    """D-09: 不少于3天或不少于24学时."""
    return (days or 0) >= d.TRAINING_MIN_DAYS or (hours or 0) >= d.TRAINING_MIN_HOURS


def assembly_errors(
    *, eligible: int, present: int, written: int, yes: int, no: int, abstain: int
) -> list[str]:
    """D-12 (and C7, Q-03): present voters > half of those due; yes > half of those due; written opinions
    of absent full members count in the vote."""
    errors = []
    if eligible <= 0:
        errors.append(msg("D-12", "该纪实没有应到会有表决权的正式党员人数"))
        return errors
    if present * 2 <= eligible:
        errors.append(msg("D-12", f"实到会有表决权党员{present}人，未超过应到会{eligible}人的半数，不能表决"))
    if yes + no + abstain > present + written:
        errors.append(msg("D-12", f"票数合计超过实到会有表决权党员与书面意见之和（{present + written}）"))
    if written > eligible - present:
        errors.append(msg("D-12", "书面意见数不能超过缺席的有表决权党员人数"))
    return errors


def assembly_passed(*, eligible: int, yes: int) -> bool:
    return eligible > 0 and yes * 2 > eligible


def approval_deadlines(resolution_on: dt.date) -> tuple[dt.date, dt.date]:
    """D-13: (3 months: after it a reason is needed; 6 months: the hard limit)."""
    return add_months(resolution_on, d.APPROVAL_WARN_MONTHS), add_months(resolution_on, d.APPROVAL_MAX_MONTHS)


def probation_end(resolution_on: dt.date, extended_months: int = 0) -> dt.date:
    """D-14/D-15: the year runs from the resolution date; D-16 adds the extension."""
    return add_months(resolution_on, d.PROBATION_MONTHS + (extended_months or 0))


def conversion_approval_due(resolution_on: dt.date) -> dt.date:
    """D-17."""
    return add_months(resolution_on, d.CONVERSION_APPROVAL_MONTHS)


def leaving_warning(expected_leave_on: dt.date | None, day: dt.date) -> str | None:
    """D-11: a candidate leaving the unit within three months is generally not admitted there (warning)."""
    if expected_leave_on and expected_leave_on < add_months(day, d.LEAVE_WARN_MONTHS):
        return msg(
            "D-11",
            f"预计{expected_leave_on:%Y-%m-%d}离开本单位（{d.LEAVE_WARN_MONTHS}个月内），一般不在本单位发展",
        )
    return None


def notice_last_day(starts_on: dt.date, days: int) -> dt.date:
    """The last working day of a notice of `days` working days starting on `starts_on` (D-22): the day
    before the step may be taken (add_working_days), stepping back over the weekend."""
    day = add_working_days(starts_on, days) - dt.timedelta(days=1)
    while day.weekday() >= 5 and day > starts_on:
        day -= dt.timedelta(days=1)
    return day
