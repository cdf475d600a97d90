"""The official defaults of 学习教育, each with its source (RULES.md §7); a county overrides them in settings.

`settings.LEARNING_RULES` may replace any key of `DEFAULTS` (e.g. {"general_hours": 40}); `rules()` returns the
merged set. Nothing here is guessed. The 学时 conversion table (L-06) is not here: it is versioned in the database
(learning.models.Conversion, the department's 学时折算标准 page), and every computation reads the version in force
on the activity's date (learning.conversions).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal

from django.conf import settings

from orglife.models import MeetingType
from orgs.models import Position

SOURCES = {
    "general_hours": "L-01 集中学习培训一般不少于32学时/年（《中国共产党党员教育管理工作条例》第二十条）",
    "leader_hours": "L-02 基层党组织书记和班子成员每年不少于56学时（全国党员教育培训工作规划）",
    "candidate_hours": "L-05 发展对象短期集中培训不少于3天或24学时（《中国共产党发展党员工作细则》）",
    "study_check_points_item": "一人一册抽查合格计入量化考核（乌海，种子 001；积分项目可配置）",
    "reminder_days_before": "必看教育片未看提醒：截止前 7、3、1 天及当天（本地做法，可配置）",
    "exemption": "L-07 年老体弱、患有重病的党员不作硬性要求（《中国共产党党员教育管理工作条例》第二十三条）",
}


@dataclass(frozen=True)
class Rules:
    general_hours: Decimal = Decimal("32")
    leader_hours: Decimal = Decimal("56")
    candidate_hours: Decimal = Decimal("24")
    # 班子成员: the posts of a branch committee (L-02's "书记和班子成员").
    leader_titles: tuple[str, ...] = (
        Position.Title.SECRETARY,
        Position.Title.DEPUTY_SECRETARY,
        Position.Title.ORGANIZATION,
        Position.Title.PROPAGANDA,
        Position.Title.DISCIPLINE,
    )
    # Organizational-life meetings that are collective study: attending one counts its length at the rate of
    # the conversion table in force on the meeting's date (L-06, learning.conversions).
    study_meeting_types: tuple[str, ...] = (MeetingType.LECTURE, MeetingType.THEME_DAY)
    # The points item a member earns for giving a 微党课 (points' catalogue code; "" for none).
    lesson_points_item: str = "micro_lecture"
    # 一人一册 (乌海): the points item a passed spot check earns (points' catalogue code; "" for none). The
    # template's nearest item is 撰写学习心得: the check reviews the person's own study notes.
    study_check_points_item: str = "study_notes"
    # 必看 reminders: the days before the due date (0 = the due day) on which branches get the digest of who
    # has not watched yet.
    reminder_days_before: tuple[int, ...] = (7, 3, 1, 0)
    lesson_min_minutes: int = 5
    lesson_max_minutes: int = 120


DEFAULTS = Rules()

# The L-06 keys this file held before the conversion table was versioned (learning.models.Conversion).
MOVED_TO_CONVERSION = frozenset({"hours_per_day", "hours_per_half_day", "study_hours_per_hour"})


def rules() -> Rules:
    overrides = dict(getattr(settings, "LEARNING_RULES", {}) or {})
    known = {f.name for f in fields(Rules)}
    unknown = set(overrides) - known
    moved = unknown & MOVED_TO_CONVERSION
    if moved:
        raise ValueError(
            f"LEARNING_RULES: {sorted(moved)} are no longer settings; the 学时 conversion table is versioned in "
            "the database (学习教育 › 学时折算标准, learning.models.Conversion)"
        )
    if unknown:
        raise ValueError(f"LEARNING_RULES: unknown keys {sorted(unknown)}")
    for key, value in overrides.items():
        if key.endswith("_hours"):
            overrides[key] = Decimal(str(value))
        elif key == "reminder_days_before":
            overrides[key] = tuple(sorted({int(v) for v in value}, reverse=True))
    return replace(DEFAULTS, **overrides)
