"""The official defaults of the organizational-life rule set, with their sources.

Sources are the rule ids of shared/RULES.md (§2.1 and the parameter set in §9): V checked against the
regulation's wording, U local practice with no central number, so a county may change it. Migration
0002 loaded these as the first rule set (in force from January 2000); a county changes them by
publishing a new version (orglife.services.rules.create_ruleset_version), never by editing this file.

Plain values only: orglife.models reads the settings below as its field defaults, so nothing here
imports the models (meeting types and scopes are the values of MeetingType and MeetingRule.AppliesTo).
"""

from __future__ import annotations

from orglife.periods import MONTH, QUARTER, YEAR

# What each branch owes per period: (meeting type, period, at least, applies to, source). Every rule
# is soft (一般…): a miss is a reminder, not an error (RULES.md, the note before §0).
MEETING_RULES: list[tuple[str, str, int, str, str]] = [
    ("general_assembly", QUARTER, 1, "all", "ZB2018 第十一条（OL-01）"),  # V
    ("committee", MONTH, 1, "with_committee", "ZB2018 第十二条（OL-04）"),  # V
    ("group", MONTH, 1, "per_group", "ZB2018 第十三条（OL-05）"),  # V
    ("lecture", QUARTER, 1, "all", "无中央统一规定，本地设置（OL-09）"),  # U: no central number (C2)
    ("theme_day", MONTH, 1, "all", "ZB2018 第十六条；JY2019 第十六条（OL-10）"),  # V
    ("org_life", YEAR, 1, "all", "ZB2018 第十七条（OL-11）"),  # V
    ("appraisal", YEAR, 1, "all", "ZB2018 第十八条（OL-12）"),  # V
    ("talks", YEAR, 1, "all", "ZB2018 第十九条（OL-13）"),  # V
]

# The county's settings. None has a central number (U): they are the platform's local defaults.
PLAN_DEADLINE_DAY = 25  # 月度计划报送截止日: the plan for next month is filed by this day
# 主题党日固定日 has no default: "每月相对固定1天" (OL-10, V), but which day is the county's choice.
BACKFILL_DAYS = 7  # 补录时限: a record submitted later than this after the meeting is a back-fill
REMINDER_DAYS = "20,28"  # 提醒日: days of the month the reminder digests go out
PATROL_SAMPLE_SIZE = 50  # 巡查抽样数: approved records sampled per month
# 月积分: 总分 = 完成率 × 60% + 质量分 × 25% + 整改分 × 15% (orglife.services.scores).
WEIGHT_COMPLETION = 60
WEIGHT_QUALITY = 25
WEIGHT_RECTIFICATION = 15
LAG_BOTTOM_N = 3  # 落后: among the last three ranks of the county…
LAG_THRESHOLD = 60  # …or below 60 points
# 质量分: points of a patrol rating (PatrolCheck.Rating values): 优 100, 良 85, 一般 70, 差 50.
PATROL_RATING_POINTS = {"excellent": 100, "good": 85, "fair": 70, "poor": 50}

# 分块上传清理: chunks of a photo the device never finished are deleted after this many hours without a
# new chunk (a local storage choice, U); override with settings.ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS.
UPLOAD_CHUNKS_MAX_AGE_HOURS = 72
