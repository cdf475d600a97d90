"""The official defaults of the learning-points ledger (学习积分制), with their source.

Source (SOURCE below): 宿松县委组织部, "宿松县建立'学习积分制'激发组工干部学习潜能", in 《安庆组工信息》
2021年第35期 (中共安庆市委组织部研究室, 2021-12-21), shared seed 003. It describes the county's
《部机关"学经济、提能力、促发展"党员积分制管理考评办法》 (DOCUMENT):

- three boards scored separately: 基础分 50, 任务分 30, 奖励分 20 (BLOCKS);
- the activities that earn each board (the names and boards of ITEMS);
- 个人申报 → 计分员记录 → 党支部审核, 每周统计、每月通报、每季度讲评, 一人一档;
- the top scorers and members published in important journals are commended (PointRule.commendable);
- "对年度积分60分以下的组工干部进行约谈，取消年度评优评先资格" (PASS_MARK).

The source gives no points per item and no caps: those of ITEMS are this template's own settings, which
a department admin edits in the catalogue before publishing it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

SOURCE = "《安庆组工信息》2021年第35期（中共安庆市委组织部研究室，2021-12-21）：宿松县建立“学习积分制”激发组工干部学习潜能"
DOCUMENT = "《部机关“学经济、提能力、促发展”党员积分制管理考评办法》（宿松县委组织部）"

# Below this annual total a member is interviewed (约谈) and ineligible for 评优评先 that year.
PASS_MARK = Decimal("60")

# code, name, yearly cap
BLOCKS: list[tuple[str, str, Decimal]] = [
    ("basic", "基础分", Decimal("50")),
    ("task", "任务分", Decimal("30")),
    ("reward", "奖励分", Decimal("20")),
]

# PointRule.Evidence values (plain strings: points.models takes PASS_MARK from here)
NONE, TEXT, PHOTO, FILE, LINK = "none", "text", "photo", "file", "link"


class Item(NamedTuple):
    """One scoring item of the template, in the order of PointRule's fields."""

    code: str
    block: str
    name: str
    points: Decimal
    evidence: str
    week_cap: Decimal | None = None
    month_cap: Decimal | None = None
    year_cap: Decimal | None = None
    declarable: bool = True
    automatic: bool = False
    commendable: bool = False

    def rule_fields(self) -> dict[str, Any]:
        """The PointRule fields of this item, except its block (a Block row of the version)."""
        fields = self._asdict()
        del fields["block"]
        return fields


D = Decimal
ITEMS: list[Item] = [
    # 基础分: 按学习计划参加集中理论学习、读书会、经济讲堂、参观见学等
    Item(
        "orglife_attendance",
        "basic",
        "参加组织生活（出勤）",
        D("1"),
        LINK,
        month_cap=D("4"),
        declarable=False,
        automatic=True,
    ),
    Item("theory_study", "basic", "参加集中理论学习", D("2"), TEXT, week_cap=D("2")),
    Item("reading_club", "basic", "参加读书会", D("2"), TEXT, month_cap=D("4")),
    Item("economy_lecture", "basic", "参加经济讲堂", D("2"), TEXT, month_cap=D("4")),
    Item("site_visit", "basic", "参观见学", D("3"), PHOTO, year_cap=D("12")),
    # 任务分: 撰写学习心得、参加专题培训班、参与"经济微课堂"授课、组织开展专题"主题党日"活动等
    Item("study_notes", "task", "撰写学习心得", D("2"), TEXT, month_cap=D("4")),
    Item("special_training", "task", "参加专题培训班", D("5"), FILE, year_cap=D("15")),
    Item("micro_lecture", "task", "参与“经济微课堂”授课", D("5"), TEXT, year_cap=D("15")),
    Item("theme_day", "task", "组织开展专题“主题党日”活动", D("3"), TEXT, month_cap=D("3")),
    Item(
        "quiz_pass",
        "task",
        "参加答题活动并通过",
        D("1"),
        LINK,
        month_cap=D("2"),
        declarable=False,
        automatic=True,
    ),
    # 每日一练 (quizzes): each right answer earns the item once, up to quizzes' daily cap.
    Item(
        "quiz_practice",
        "task",
        "每日一练答对题目",
        D("0.5"),
        LINK,
        month_cap=D("4"),
        declarable=False,
        automatic=True,
    ),
    Item(
        "video_watched",
        "task",
        "观看必看党员教育片",
        D("1"),
        LINK,
        month_cap=D("2"),
        declarable=False,
        automatic=True,
    ),
    # 奖励分: 到先发地区、双招双引、重点工作等一线实践锻炼; 在重要刊物发表相关文章 (表扬)
    Item(
        "frontline_practice",
        "reward",
        "到先发地区、双招双引、重点工作等一线实践锻炼",
        D("5"),
        FILE,
        year_cap=D("10"),
    ),
    Item("journal_article", "reward", "在重要刊物发表相关文章", D("5"), LINK, commendable=True),
    Item(
        "bulletin_adopted",
        "reward",
        "报送信息被《组工信息》采用",
        D("2"),
        LINK,
        year_cap=D("10"),
        declarable=False,
        automatic=True,
    ),
]
