"""A year of plausible organizational life for the generated demo county (issue 3).

`generate_orglife_demo(seed=, scale=, today=)` fills an already generated demo tree (orgs.demo) with the
twelve months before `today` plus the current month so far: monthly plans (mostly approved and on time,
some late, a few returned and resubmitted, a few missing), approved meeting records with attendance by
name, votes and quorum facts, a sample of photos (one deliberately reused across two branches), patrol
checks with ratings, re-held meetings and rectifications (closed, open, one overdue), then the completion
stats rebuilt from those rows by `orglife.services.stats.rebuild_stats` (the stats service's bulk path;
a sample is checked against its single-row `refresh_branch_month`), and the month close
(`orglife.services.scores.close_month`) run for each month in order.

Plans, their items and events go through the plan service's bulk path `add_plans` (its item, submission
and status rules; `required` by `mark_required`; lateness from the deadline), meeting records with their
attendance and events through the records service's `add_records` (its record and attendance rules, the
quorum and vote facts by `set_quorum_facts`, 补录 from the submission time), the stats through the stats
service's `rebuild_stats`, patrol checks and their ratings, rectifications and their items
through the patrol service's `add_patrol_checks`, `add_rehold_orders` and `add_rectifications`, the month
close through `close_month` (dated when each month was closed), the interviews' outcomes through
`add_interview_outcomes`, and the photos through `add_history_photos` (the upload's own cleaning, storage
and reuse look-up: the one reused photo is found by the same rule a real upload meets).

Which 党(工)委 lag is chosen from the seed: one lags the last four months (so 约谈 escalates to the
principal), one lags two consecutive months (deputy secretary), and the remaining slots of the bottom-N
ranking go to committees lagging a single month (组织委员). Their branches miss about half of what falls
due in those months; everyone else is diligent. When a county has no more committees than `lag_bottom_n`
(the tiny test tree), every non-lagging committee is made perfect, so they tie for first place and only
the designated ones lag.

Deterministic for a seed (one `random.Random(seed)`; stored file names are random). A second run does
nothing: if any plan or record exists the function returns `{"skipped": True, ...}`.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from orglife import photomatch, uploads
from orglife.models import (
    CompletionStat,
    Interview,
    MeetingRecord,
    MeetingType,
    MonthlyPlan,
    PatrolCheck,
    PlanItem,
    Rectification,
    RuleSet,
)
from orglife.periods import MONTH, SHANGHAI, add_months, first_of_month, plan_deadline
from orglife.rules import (
    LIFE_KINDS,
    Requirement,
    assembly_quorum,
    due_in,
    requirements,
)
from orglife.services.patrol import (
    NewRectification,
    ReholdOrder,
    add_patrol_checks,
    add_rectifications,
    add_rehold_orders,
)
from orglife.services.plans import NewPlan, PlanItemData, add_plans
from orglife.services.records import COMMITTEE_TITLES, AttendanceEntry, RecordData
from orglife.services.records_bulk import HistoryPhoto, NewRecord, add_history_photos, add_records
from orglife.services.scores import InterviewOutcome, add_interview_outcomes, close_month
from orglife.services.stats import rebuild_stats, refresh_branch_month
from orgs.demo import DEMO_COUNTY_CODE, analyze, demo_nodes
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q

T = MeetingType
S = MeetingRecord.Status
C = Organization.UnitCategory
BATCH = 2000

# -------------------------------------------------------------------------------------------- texts

THEME_TOPICS = [
    "学习贯彻党的二十届四中全会精神",
    "学习贯彻习近平总书记考察安徽重要讲话精神",
    "志愿服务进社区",
    "重温入党誓词 牢记初心使命",
    "学习《中国共产党纪律处分条例》",
    "深入贯彻中央八项规定精神 学习警示教育案例",
    "参观廉政教育基地 筑牢拒腐防变防线",
    "我为群众办实事：走访群众解难题",
    "助力乡村振兴 党员在行动",
    "安全生产 党员先行",
    "文明创建 党员示范",
    "垃圾分类 党员带头",
    "走访慰问困难党员和老党员",
    "读书分享会：学习《习近平谈治国理政》",
    "观看党员教育专题片并交流心得",
    "学习党的创新理论 交流学习体会",
]
SEASONAL_THEMES = {
    1: "新春走访慰问困难群众",
    3: "学雷锋志愿服务活动",
    4: "清明祭英烈 缅怀革命先烈",
    5: "“五四”青年党员座谈交流",
    6: "防汛备汛 党员先锋",
    7: "庆祝中国共产党成立{n}周年 重温入党誓词",
    8: "“八一”走访慰问退役军人党员",
    10: "国庆献礼 志愿服务进社区",
    12: "“12·4”国家宪法日 学习宪法",
}
LECTURE_TOPICS = [
    "坚定理想信念 践行初心使命",
    "以党的创新理论凝心铸魂",
    "加强党性修养 做合格共产党员",
    "严守政治纪律和政治规矩",
    "学思想 强党性 重实践 建新功",
    "弘扬伟大建党精神",
    "以学促干 推动高质量发展",
    "深化作风建设 密切联系群众",
    "发扬斗争精神 增强斗争本领",
    "学习党章 遵守党章 维护党章",
]
COMMITTEE_TOPICS = [
    "研究本月党建工作安排",
    "研究发展党员工作",
    "研究党费收缴和使用",
    "研究“三会一课”落实情况",
    "研究主题党日活动方案",
    "研究困难党员帮扶事项",
    "研究党员积分评定结果",
    "研究意识形态工作",
    "研究季度党员大会议题",
    "研究党员教育培训计划",
]
EXTRA_COMMITTEE_TOPICS = ["研究防汛救灾党员突击队组建", "研究上级巡查反馈问题整改", "研究临时党员帮扶事项"]
GROUP_TOPICS = [
    "学习传达支部工作部署",
    "学习《中国共产党章程》",
    "交流学习心得体会",
    "讨论本组党员联系群众情况",
    "学习近期重要会议精神",
    "开展批评与自我批评",
    "学习党史 交流体会",
]
ASSEMBLY_TOPICS = [
    "传达学习上级会议精神，通报{q}季度支部工作",
    "通报党费收缴使用情况，部署{q}季度工作",
    "民主推荐优秀共产党员",
    "学习上级文件精神，讨论支部年度重点工作",
]
PLACES = {
    C.VILLAGE: ["村党群服务中心会议室", "村党员活动室", "村新时代文明实践站"],
    C.COMMUNITY: ["社区党群服务中心", "社区新时代文明实践站", "社区党员活动室"],
    C.ORGAN: ["机关三楼会议室", "机关党员活动室", "单位二楼会议室"],
    C.SCHOOL: ["学校会议室", "学校党员活动室", "图书馆报告厅"],
    C.INSTITUTION: ["行政楼会议室", "单位党员活动室", "职工之家"],
    C.ENTERPRISE: ["公司党员活动室", "公司会议室", "车间党员学习角"],
    C.SOCIAL: ["协会办公室", "党群服务驿站"],
    C.OTHER: ["老干部活动中心", "离退休党员活动室"],
}
OUTDOOR_PLACES = [
    "宿松县烈士陵园",
    "县革命历史纪念馆",
    "县廉政教育基地",
    "乡村振兴示范点",
    "社区文化广场",
    "县敬老院",
]
EVENING_CATEGORIES = {C.VILLAGE, C.COMMUNITY, C.ENTERPRISE, C.SOCIAL}
WEEKDAY_CATEGORIES = {C.ORGAN, C.SCHOOL, C.INSTITUTION}
ABSENCE_REASONS = ["因病请假", "公务出差", "家中有事请假", "值班", "外出学习培训"]
RETURN_REASONS = [
    "主题党日未明确活动主题，请细化",
    "党课未填写主讲人",
    "活动地点不具体，请补充",
    "支委会议题过于笼统，请明确",
]
REASON_ITEMS = {
    "内容空泛": "会议记录内容空泛，须补充学习内容和交流发言要点",
    "照片不符": "会议照片与会议内容不符，须补充现场照片",
    "出勤不实": "出勤登记与签到表不一致，须核实并更正",
    "记录不全": "会议记录要素不全，须补齐议程和决议事项",
    "程序不规范": "会议程序不规范，须对照条例重新学习会议流程",
    "主题不明确": "会议主题不明确，须结合上级部署确定主题",
    "照片重复使用": "照片与其他会议重复使用，须说明情况并如实补充现场照片",
}
FALLBACK_NAMES: dict[str, str] = {
    Interview.Level.ORGANIZATION_MEMBER: "组织委员",
    Interview.Level.DEPUTY_SECRETARY: "分管党建的副书记",
    Interview.Level.PRINCIPAL: "党委书记",
}
OUTCOMES = [
    "已当面约谈，指出组织生活完成率偏低、计划报送不及时等问题，提出限期整改要求。",
    "约谈中该同志作表态发言，承诺下月补齐短板，按时报送月度计划。",
    "已约谈并下发整改通知，要求逐支部排查“三会一课”落实情况。",
]


# ------------------------------------------------------------------------------------------- model


@dataclass
class Person:
    pk: int
    name: str
    category: str
    status: str
    due: bool  # counts in attendance denominators
    group_id: int | None


@dataclass
class Branch:
    org: Organization
    committee_path: str
    groups: list[Organization]
    people: list[Person] = field(default_factory=list)
    committee: list[Person] = field(default_factory=list)  # by id, as the records service's roster
    posts: dict[str, str] = field(default_factory=dict)  # title → name
    group_leaders: dict[int, str] = field(default_factory=dict)
    theme_day: int = 15

    @property
    def secretary(self) -> str:
        return self.posts.get(Position.Title.SECRETARY) or (
            self.people[0].name if self.people else "支部书记"
        )

    @property
    def recorder(self) -> str:
        for title in (Position.Title.ORGANIZATION, Position.Title.CONTACT, Position.Title.PROPAGANDA):
            if self.posts.get(title) and self.posts[title] != self.secretary:
                return self.posts[title]
        others = [p.name for p in self.people if p.name != self.secretary]
        return others[0] if others else self.secretary


@dataclass
class Meeting:
    meeting_type: str
    group: Organization | None
    start: dt.datetime
    minutes: int
    place: str
    topic: str
    host: str
    recorder: str
    lecturer: str = ""
    held: bool = True
    required: bool = False
    planned: bool = True
    item: PlanItem | None = None


@dataclass
class Held:
    """What later steps need of an approved record."""

    pk: int
    branch: Branch
    meeting_type: str
    month: dt.date
    ended_at: dt.datetime
    created_at: dt.datetime


@dataclass
class Totals:
    plans: int = 0
    plan_items: int = 0
    records: int = 0
    attendance: int = 0
    photos: int = 0
    patrol_checks: int = 0
    rectifications: int = 0
    rehold: int = 0
    late_plans: int = 0
    missing_plans: int = 0
    returned_plans: int = 0
    backfills: int = 0
    unplanned: int = 0


@contextmanager
def _own_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at we set (history lies in the past)."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))  # type: ignore[attr-defined]
                f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add  # type: ignore[attr-defined]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _workday(day: dt.date) -> dt.date:
    """The Friday before a weekend day, or the Monday after when that Friday is in the previous month."""
    if day.weekday() < 5:
        return day
    friday = day - dt.timedelta(days=day.weekday() - 4)
    return friday if friday.month == day.month else day + dt.timedelta(days=7 - day.weekday())


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------- schedule


def lag_schedule(
    committees: list[str], n_months: int, bottom_n: int, rng: random.Random
) -> tuple[list[set[str]], dict[str, list[str]]]:
    """For each month, the committee paths that should lag, and who plays which part."""
    order = list(committees)
    rng.shuffle(order)
    months: list[set[str]] = [set() for _ in range(n_months)]
    parts: dict[str, list[str]] = {"principal": [], "deputy": [], "single": []}
    if not order:
        return months, parts
    parts["principal"].append(order[0])
    for i in range(max(0, n_months - 4), n_months):
        months[i].add(order[0])
    if len(order) > 1:
        parts["deputy"].append(order[1])
        for i in (n_months - 8, n_months - 7):
            if i >= 0:
                months[i].add(order[1])
    singles = order[2:]
    perfect = len(committees) <= bottom_n
    cursor = 0
    for m in range(n_months):
        singles_wanted = 1 if m in (n_months - 11, n_months - 5) else 0
        want = singles_wanted if perfect else bottom_n - len(months[m])
        tries = 0
        while want > 0 and singles and tries < 2 * len(singles):
            c = singles[cursor % len(singles)]
            cursor += 1
            tries += 1
            if c in months[m] or (m > 0 and c in months[m - 1]) or (m + 1 < n_months and c in months[m + 1]):
                continue
            months[m].add(c)
            want -= 1
            if c not in parts["single"]:
                parts["single"].append(c)
    return months, parts


# ---------------------------------------------------------------------------------------- loading


def _county() -> Organization | None:
    return (
        Organization.objects.filter(code=DEMO_COUNTY_CODE).first()
        or Organization.objects.filter(parent__isnull=True).order_by("path").first()
    )


def _load_branches(county: Organization, rng: random.Random) -> list[Branch]:
    scope = under_path_q(county.path)
    orgs = list(Organization.objects.filter(scope, kind__in=LIFE_KINDS, is_active=True).order_by("path"))
    groups: dict[int, list[Organization]] = defaultdict(list)
    for g in Organization.objects.filter(scope, kind=Organization.Kind.GROUP, is_active=True).order_by(
        "path"
    ):
        groups[g.parent_id].append(g)  # type: ignore[index]
    length = len(county.path) + 4
    branches = {
        o.pk: Branch(o, o.path[:length], groups.get(o.pk, []), theme_day=rng.choice([5, 10, 15, 20, 25]))
        for o in orgs
    }
    people: dict[int, Person] = {}
    for pk, org_id, name, category, status, exempt, group_id in (
        Member.objects.filter(org_id__in=list(branches), status__in=Member.ACTIVE_STATUSES)
        .order_by("id")
        .values_list("id", "org_id", "name", "category", "status", "is_exempt", "party_group_id")
    ):
        due = status in (Member.Status.NORMAL, Member.Status.MOBILE) and not exempt
        person = Person(pk, name, category, status, due, group_id)
        people[pk] = person
        branches[org_id].people.append(person)
    by_group = {g.pk: b for b in branches.values() for g in b.groups}
    committee: dict[int, set[int]] = defaultdict(set)
    for org_id, title, member_id, name in (
        Position.objects.current()
        .filter(under_path_q(county.path, "org__path"))
        .order_by("org_id", "title", "-started_on", "id")
        .values_list("org_id", "title", "member_id", "member__name")
    ):
        if org_id in branches:
            b = branches[org_id]
            b.posts.setdefault(title, name)
            if title in COMMITTEE_TITLES:
                committee[org_id].add(member_id)
        elif org_id in by_group and title == Position.Title.GROUP_LEADER:
            by_group[org_id].group_leaders.setdefault(org_id, name)
    # A committee post may be held by someone whose membership sits elsewhere (records.committee_members).
    outside = {pk for ids in committee.values() for pk in ids} - set(people)
    for pk, name, category, status, exempt, group_id in Member.objects.filter(pk__in=outside).values_list(
        "id", "name", "category", "status", "is_exempt", "party_group_id"
    ):
        due = status in (Member.Status.NORMAL, Member.Status.MOBILE) and not exempt
        people[pk] = Person(pk, name, category, status, due, group_id)
    for org_id, ids in committee.items():
        branches[org_id].committee = [people[pk] for pk in sorted(ids)]
    return list(branches.values())


# ---------------------------------------------------------------------------------------- the generator


class Generator:
    def __init__(
        self,
        *,
        seed: int,
        scale: str,
        today: dt.date,
        branches: list[Branch],
        committees: list[str],
        stdout: Any = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.seed, self.scale, self.today = seed, scale, today
        self.stdout = stdout
        # "Now" for the history: the real clock, or noon of a `today` given for a reproducible run.
        self.now = timezone.now() if today == timezone.localdate() else _aware(today, 12)
        self.current = first_of_month(today)
        self.history = [add_months(self.current, i) for i in range(-12, 0)]
        self.totals = Totals()
        self.held: list[Held] = []
        self.period_plan: dict[tuple[int, str, int | None, dt.date], dt.date | None] = {}
        self.rulesets: dict[dt.date, RuleSet] = {}
        self.reused_pair: tuple[int, int] | None = None
        self.branches = branches
        self.committees = committees
        bottom_n = self.ruleset(self.history[-1]).lag_bottom_n
        # With no more committees than the bottom-N, only a tie for first keeps a committee out of it.
        self.perfect = len(committees) <= bottom_n
        self.lag_months, self.parts = lag_schedule(committees, len(self.history), bottom_n, self.rng)
        self.first_branch: dict[str, int] = {}
        for b in branches:
            self.first_branch.setdefault(b.committee_path, b.org.pk)

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)

    # -- rules ----------------------------------------------------------------------------------

    def ruleset(self, month: dt.date) -> RuleSet:
        if month not in self.rulesets:
            found = (
                RuleSet.objects.filter(effective_from__lte=month)
                .order_by("-effective_from")
                .prefetch_related("rules")
                .first()
            )
            if found is None:
                raise RuleSet.DoesNotExist("没有适用于该月份的组织生活规则")
            self.rulesets[month] = found
        return self.rulesets[month]

    def lag_index(self, month: dt.date) -> int | None:
        return self.history.index(month) if month in self.history else None

    def lagging(self, b: Branch, month: dt.date) -> bool:
        i = self.lag_index(month)
        return i is not None and b.committee_path in self.lag_months[i]

    # -- dates and people --------------------------------------------------------------------------

    def last_day(self, month: dt.date) -> int:
        """The last day a meeting of `month` may have happened (yesterday for the current month)."""
        if month == self.current:
            return self.today.day - 1
        return _month_end(month).day

    def pick_day(self, b: Branch, month: dt.date, lo: int, hi: int) -> dt.date | None:
        hi = min(hi, self.last_day(month))
        lo = min(lo, hi)
        if hi < 1:
            return None
        day = month.replace(day=self.rng.randint(max(1, lo), hi))
        if b.org.unit_category in WEEKDAY_CATEGORIES and day.weekday() >= 5:
            back = day - dt.timedelta(days=day.weekday() - 4)
            day = back if back.month == month.month else day + dt.timedelta(days=7 - day.weekday())
            if day.month != month.month or day.day > self.last_day(month):
                return None
        return day

    def start_time(self, b: Branch, day: dt.date, meeting_type: str) -> dt.datetime:
        rng = self.rng
        if meeting_type == T.THEME_DAY and day.weekday() >= 5:
            return _aware(day, 9, rng.choice([0, 30]))
        if b.org.unit_category in EVENING_CATEGORIES and rng.random() < 0.6:
            return _aware(day, 19, rng.choice([0, 30]))
        return _aware(day, rng.choice([14, 15, 16]), rng.choice([0, 30]))

    def place(self, b: Branch, meeting_type: str) -> str:
        if meeting_type == T.THEME_DAY and self.rng.random() < 0.3:
            return self.rng.choice(OUTDOOR_PLACES)
        options = PLACES.get(C(b.org.unit_category), PLACES[C.OTHER])
        return self.rng.choice(options)

    def topic(self, meeting_type: str, month: dt.date, b: Branch) -> str:
        rng = self.rng
        if meeting_type == T.THEME_DAY:
            seasonal = SEASONAL_THEMES.get(month.month)
            if seasonal and rng.random() < 0.5:
                return seasonal.format(n=month.year - 1921)
            return rng.choice(THEME_TOPICS)
        if meeting_type == T.LECTURE:
            return "书记讲党课：" + rng.choice(LECTURE_TOPICS)
        if meeting_type == T.COMMITTEE:
            return rng.choice(COMMITTEE_TOPICS)
        if meeting_type == T.GROUP:
            return rng.choice(GROUP_TOPICS)
        if meeting_type == T.GENERAL_ASSEMBLY:
            quarter = "一二三四"[(month.month - 1) // 3]
            return rng.choice(ASSEMBLY_TOPICS).format(q=quarter)
        if meeting_type == T.ORG_LIFE:
            return f"{month.year}年度组织生活会"
        if meeting_type == T.APPRAISAL:
            return f"{month.year}年度民主评议党员"
        return f"{month.year}年度谈心谈话"

    def meeting(
        self, b: Branch, month: dt.date, meeting_type: str, group: Organization | None, day: dt.date
    ) -> Meeting:
        durations: dict[str, int] = {
            T.THEME_DAY: self.rng.choice([120, 150, 180]),
            T.LECTURE: 90,
            T.GENERAL_ASSEMBLY: 120,
            T.COMMITTEE: self.rng.choice([60, 90]),
            T.GROUP: self.rng.choice([45, 60]),
            T.ORG_LIFE: 180,
            T.APPRAISAL: 120,
            T.TALKS: 90,
        }
        minutes = durations[meeting_type]
        host, recorder = b.secretary, b.recorder
        if group is not None:
            members = [p.name for p in b.people if p.group_id == group.pk]
            host = b.group_leaders.get(group.pk) or (members[0] if members else host)
            others = [n for n in members if n != host]
            recorder = others[0] if others else recorder
        return Meeting(
            meeting_type,
            group,
            self.start_time(b, day, meeting_type),
            minutes,
            self.place(b, meeting_type),
            self.topic(meeting_type, month, b),
            host,
            recorder,
            lecturer=b.secretary if meeting_type == T.LECTURE else "",
        )

    # -- what each branch does in a month -----------------------------------------------------------

    def miss_chance(self, b: Branch, month: dt.date) -> float:
        if self.lagging(b, month):
            return 0.5
        if self.perfect or month == self.current:
            return 0.0
        return 0.03

    def period_month(self, b: Branch, req: Requirement, month: dt.date) -> dt.date | None:
        """The month in which the branch holds a quarterly or yearly requirement (None: not held)."""
        key = (b.org.pk, req.meeting_type, req.group.pk if req.group else None, req.period.start)
        if key in self.period_plan:
            return self.period_plan[key]
        rng = self.rng
        due = req.period.months[-1]
        usable = [m for m in req.period.months if self.history[0] <= m <= self.current]
        if self.current in usable and self.today.day <= 2:
            usable.remove(self.current)
        choice: dt.date | None = None
        if due <= self.history[-1]:
            if usable and rng.random() >= self.miss_chance(b, due):
                late_types = (T.ORG_LIFE, T.APPRAISAL)
                weights = [(3 if m == due else 1) if req.meeting_type in late_types else 1 for m in usable]
                choice = rng.choices(usable, weights)[0]
        else:
            elapsed = len([m for m in req.period.months if m <= self.current]) / len(req.period.months)
            if usable and rng.random() < 0.8 * elapsed:
                choice = rng.choice(usable)
                if choice == self.current and rng.random() < 0.5:
                    choice = None
        self.period_plan[key] = choice
        return choice

    def month_meetings(self, b: Branch, month: dt.date) -> list[Meeting]:
        """Everything the branch plans for the month, with `held` drawn from its diligence."""
        rng = self.rng
        ruleset = self.ruleset(month)
        miss = self.miss_chance(b, month)
        out: list[Meeting] = []
        last = _month_end(month).day
        for req in requirements(b.org, month, ruleset=ruleset, groups=b.groups):
            t = req.meeting_type
            if req.period.kind != MONTH and self.period_month(b, req, month) != month:
                continue
            for _ in range(req.min_count):
                if t == T.THEME_DAY:
                    fixed = ruleset.theme_day_of_month or b.theme_day
                    day = month.replace(day=min(fixed, last))
                elif t == T.COMMITTEE:
                    day = month.replace(day=rng.randint(1, 10))
                elif t in (T.ORG_LIFE, T.APPRAISAL):
                    day = month.replace(day=rng.randint(15, min(28, last)))
                else:
                    day = month.replace(day=rng.randint(5, min(27, last)))
                if b.org.unit_category in WEEKDAY_CATEGORIES and t != T.THEME_DAY:
                    day = _workday(day)
                planned_day = day
                m = self.meeting(b, month, t, req.group, planned_day)
                m.required = due_in(req, month)
                m.held = rng.random() >= miss if req.period.kind == MONTH else True
                # Meetings of the current month are held only once their day has passed.
                if month == self.current and planned_day.day >= self.today.day:
                    m.held = False
                out.append(m)
        if self.lagging(b, month) and b.org.pk == self.first_branch.get(b.committee_path):
            for m in out:  # a lagging committee always misses something
                if m.meeting_type == T.THEME_DAY:
                    m.held = False
        if b.org.has_committee and not self.lagging(b, month) and not self.perfect and rng.random() < 0.05:
            extra_day = self.pick_day(b, month, 3, 26)
            if extra_day is not None:
                extra = self.meeting(b, month, T.COMMITTEE, None, extra_day)
                extra.topic = rng.choice(EXTRA_COMMITTEE_TOPICS)
                extra.planned = False
                out.append(extra)
        return out

    # -- plans ------------------------------------------------------------------------------------

    def plan_fate(self, b: Branch, month: dt.date) -> str:
        """approved | late | returned | missing | (for the months still open) submitted | draft | none."""
        r = self.rng.random()
        lag = self.lagging(b, month)
        if month > self.current:  # the plan now being filed
            deadline = plan_deadline(month, self.ruleset(self.current).plan_deadline_day)
            passed = self.now > deadline
            if r < 0.45:
                return "approved"
            if r < 0.75:
                return "submitted"
            if r < 0.85:
                return "late" if passed else "draft"
            return "missing" if passed else "none"
        missing, late, returned = (0.2, 0.35, 0.42) if lag else (0.03, 0.08, 0.11)
        if r < missing:
            return "missing"
        if r < late:
            return "late"
        if r < returned:
            return "returned"
        return "approved"

    def file_plan(self, b: Branch, month: dt.date, fate: str, meetings: list[Meeting]) -> NewPlan | None:
        """The plan's history as the branch and the committee would have made it (add_plans checks it)."""
        rng = self.rng
        if fate in ("missing", "none"):
            if fate == "missing":
                self.totals.missing_plans += 1
            return None
        deadline = plan_deadline(month, self.ruleset(add_months(month, -1)).plan_deadline_day)
        filing = add_months(month, -1)
        if fate == "late":
            day = rng.randint(deadline.day + 1, _month_end(filing).day) if deadline.day < 28 else 28
            submitted = _aware(filing.replace(day=day), rng.randint(9, 17), rng.randint(0, 59))
            if rng.random() < 0.3:
                submitted = _aware(month.replace(day=rng.randint(1, 3)), 10)
        else:
            submitted = _aware(
                filing.replace(day=rng.randint(8, deadline.day)), rng.randint(8, 17), rng.randint(0, 59)
            )
        submitted = min(submitted, self.now - dt.timedelta(hours=2))
        created = submitted - dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 5))
        items = [
            PlanItemData(
                meeting_type=m.meeting_type,
                group=m.group,
                planned_on=timezone.localtime(m.start, SHANGHAI).date(),
                place=m.place,
                topic=m.topic,
                host_name=m.host,
                lecturer_name=m.lecturer,
            )
            for m in meetings
            if m.planned
        ]
        plan = NewPlan(b.org, month, MonthlyPlan.Status.SUBMITTED, items, created, submitted)
        plan.events.append(("created", {"items": len(items)}, created))
        if fate == "draft":
            plan.status, plan.submitted_at = MonthlyPlan.Status.DRAFT, None
            return plan
        plan.events.append(("submitted", {"late": submitted > deadline}, submitted))
        reviewed = min(submitted + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6)), self.now)
        if fate == "submitted":
            pass
        elif fate == "returned":
            reason = rng.choice(RETURN_REASONS)
            plan.events.append(("returned", {"reason": reason}, reviewed))
            self.totals.returned_plans += 1
            again = reviewed + dt.timedelta(days=1, hours=rng.randint(0, 5))
            if (
                again < self.now
                and month <= self.current
                and not (month == self.current and rng.random() < 0.2)
            ):
                plan.events.append(("edited", {"items_before": len(items), "items": len(items)}, again))
                plan.events.append(("resubmitted", {"late": submitted > deadline}, again))
                approved = min(again + dt.timedelta(days=1), self.now)
                plan.events.append(("approved", {}, approved))
                plan.status, plan.reviewed_at = MonthlyPlan.Status.APPROVED, approved
            else:
                plan.status, plan.return_reason = MonthlyPlan.Status.RETURNED, reason
                plan.reviewed_at = reviewed
        else:
            plan.events.append(("approved", {}, reviewed))
            plan.status, plan.reviewed_at = MonthlyPlan.Status.APPROVED, reviewed
        return plan

    def add_plans(self, filed: list[tuple[NewPlan, list[Meeting]]]) -> dict[int, MonthlyPlan]:
        """Write the plans through the plan service's bulk path; links each planned meeting to its item."""
        written = add_plans(plans=[plan for plan, _ in filed])
        by_org = {}
        for (plan, items), (_, meetings) in zip(written, filed, strict=True):
            for m, item in zip([m for m in meetings if m.planned], items, strict=True):
                m.item = item
            by_org[plan.org_id] = plan
            self.totals.late_plans += int(plan.is_late)
            self.totals.plan_items += len(items)
        self.totals.plans += len(written)
        return by_org

    # -- records ----------------------------------------------------------------------------------

    def roster(self, b: Branch, m: Meeting) -> tuple[list[Person], list[Person]]:
        if m.meeting_type == T.COMMITTEE:
            members = b.committee
        elif m.meeting_type == T.GROUP and m.group is not None:
            members = [p for p in b.people if p.group_id == m.group.pk]
        else:
            members = b.people
        return [p for p in members if p.due], [p for p in members if not p.due]

    def record_rows(
        self,
        b: Branch,
        m: Meeting,
        month: dt.date,
        status: str,
        backfill: bool,
    ) -> NewRecord:
        """The record as the branch would have entered it (add_records checks it and derives the facts)."""
        rng = self.rng
        ended = m.start + dt.timedelta(minutes=m.minutes)
        due, exempt = self.roster(b, m)
        present_rate = 0.78 if self.lagging(b, month) else 0.9
        attendance: list[AttendanceEntry] = []
        present_ids: set[int] = set()
        for p in due:
            rate = 0.35 if p.status == Member.Status.MOBILE else present_rate
            if p.name == m.host or rng.random() < rate:
                present_ids.add(p.pk)
                attendance.append(AttendanceEntry(p.pk, True))
            else:
                reason = (
                    "外出务工（流动党员）"
                    if p.status == Member.Status.MOBILE
                    else rng.choice(ABSENCE_REASONS)
                )
                attendance.append(AttendanceEntry(p.pk, False, reason))
        n_present = len(present_ids)
        self.totals.attendance += len(due) + len(exempt)  # the rows add_records writes
        content = (
            f"会议由{m.host}主持，{m.recorder}记录。应到{len(due)}人，实到{n_present}人。"
            f"围绕“{m.topic}”，{self.body(m)}"
        )
        data = RecordData(
            group=m.group,
            meeting_type=m.meeting_type,
            plan_item=m.item,
            topic=m.topic,
            started_at=m.start,
            ended_at=ended,
            place=m.place,
            host_name=m.host,
            recorder_name=m.recorder,
            lecturer_name=m.lecturer,
            agenda=self.agenda(m),
            content=content,
            decisions=self.decisions(m),
            attendance=attendance,
        )
        full_due = [p.pk for p in due if p.category == Member.Category.FULL]
        if m.meeting_type == T.GENERAL_ASSEMBLY:
            probationary = [p for p in due if p.category == Member.Category.PROBATIONARY]
            present = sum(1 for pk in full_due if pk in present_ids)
            quorum = assembly_quorum(present=present, eligible=len(full_due))
            if quorum and (probationary or rng.random() < 0.3):
                who = probationary[0].name if probationary else ""
                data.vote_subject = (
                    f"讨论{who}同志预备党员按期转为正式党员" if who else "审议支部年度工作计划"
                )
                no = rng.choice([0, 0, 0, 1]) if present > 3 else 0
                abstain = rng.choice([0, 0, 1]) if present > 4 else 0
                data.votes_no, data.votes_abstain = no, abstain
                data.votes_yes = present - no - abstain
        # History: created, submitted, approved (the committee approves back-filled records).
        lag = dt.timedelta(days=rng.randint(8, 20)) if backfill else dt.timedelta(hours=rng.randint(2, 40))
        created = min(ended + lag, self.now - dt.timedelta(minutes=30))
        submitted = min(
            created + dt.timedelta(minutes=rng.randint(10, 240)), self.now - dt.timedelta(minutes=20)
        )
        approved = min(
            submitted + dt.timedelta(hours=rng.randint(2, 48)), self.now - dt.timedelta(minutes=10)
        )
        record = NewRecord(b.org, data, status, created)
        events: list[tuple[str, dict[str, Any], dt.datetime, str]] = [
            ("created", {"unplanned": m.item is None}, created, "")
        ]
        if status != S.DRAFT:
            events.append(("submitted", {}, submitted, ""))
        if status == S.APPROVED:
            if backfill:
                events.append(("approved_by_secretary", {"next": "awaiting_committee"}, approved, ""))
                approved = min(
                    approved + dt.timedelta(days=rng.randint(1, 3)), self.now - dt.timedelta(minutes=5)
                )
            events.append(("approved", {"by_committee": backfill}, approved, ""))
            record.approved_at = approved
        elif status == S.RETURNED:
            events.append(("returned", {"reason": "请补充会议决议事项"}, approved, "请补充会议决议事项"))
        record.events = events
        return record

    def body(self, m: Meeting) -> str:
        t = m.meeting_type
        if t == T.THEME_DAY:
            return "全体党员佩戴党徽参加，集体学习相关文件精神，重温入党誓词，开展交流发言和志愿服务，形成活动纪实。"
        if t == T.LECTURE:
            return f"{m.lecturer}同志结合工作实际讲授专题党课，党员认真听讲并做好笔记，课后进行了交流讨论。"
        if t == T.COMMITTEE:
            return "支委会成员逐项讨论，统一思想，明确了责任人和完成时限。"
        if t == T.GROUP:
            return "小组党员逐一交流学习体会，结合岗位实际谈认识、谈打算。"
        if t == T.GENERAL_ASSEMBLY:
            return "传达上级会议精神，通报支部工作情况，党员对支部工作提出意见建议。"
        if t == T.ORG_LIFE:
            return "支部班子和党员对照检查，开展批评与自我批评，逐条明确整改措施。"
        if t == T.APPRAISAL:
            return "党员个人总结、民主测评、组织评定，评定结果当场公布。"
        return "书记与支委、支委之间、支委与党员之间开展谈心谈话，交流思想，听取意见。"

    def agenda(self, m: Meeting) -> str:
        t = m.meeting_type
        if t == T.THEME_DAY:
            return "1. 集中学习\n2. 重温入党誓词\n3. 交流发言\n4. 开展主题活动"
        if t == T.LECTURE:
            return f"1. {m.lecturer}同志讲党课\n2. 交流讨论"
        if t == T.GENERAL_ASSEMBLY:
            return "1. 传达学习上级精神\n2. 通报支部工作\n3. 讨论表决有关事项"
        return "1. 学习有关文件\n2. 讨论研究\n3. 部署下步工作"

    def decisions(self, m: Meeting) -> str:
        if m.meeting_type in (T.COMMITTEE, T.GENERAL_ASSEMBLY):
            return "会议形成一致意见，按程序抓好落实。"
        return ""

    # -- the month loop ---------------------------------------------------------------------------

    def write_month(self, month: dt.date, branches: list[Branch]) -> None:
        rng = self.rng
        is_history = month in self.history
        filed: list[tuple[NewPlan, list[Meeting]]] = []
        per_branch: list[tuple[Branch, list[Meeting]]] = []
        for b in branches:
            meetings = self.month_meetings(b, month)
            new = self.file_plan(b, month, self.plan_fate(b, month), meetings)
            if new is not None:
                filed.append((new, meetings))
            per_branch.append((b, meetings))
        plans = self.add_plans(filed)

        records: list[NewRecord] = []
        owners: list[Branch] = []
        for b, meetings in per_branch:
            plan = plans.get(b.org.pk)
            approved = plan is not None and plan.status == MonthlyPlan.Status.APPROVED
            for m in meetings:
                if not m.held:
                    continue
                if not approved or not m.planned:
                    m.item = None
                status = S.APPROVED
                backfill = is_history and rng.random() < 0.02
                if month == self.current:
                    r = rng.random()
                    days_ago = (self.today - timezone.localtime(m.start, SHANGHAI).date()).days
                    if days_ago <= 3 and r < 0.5:
                        status = S.SUBMITTED
                    elif r < 0.04:
                        status = S.DRAFT
                    elif r < 0.06:
                        status = S.RETURNED
                records.append(self.record_rows(b, m, month, status, backfill))
                owners.append(b)
        written = add_records(records=records)
        for record, b in zip(written, owners, strict=True):
            self.totals.unplanned += int(record.plan_item is None)
            self.totals.backfills += int(record.is_backfill)
            if record.status == S.APPROVED:
                self.held.append(
                    Held(record.pk, b, record.meeting_type, month, record.ended_at, record.created_at)
                )
        self.totals.records += len(written)

    def next_month_plans(self, branches: list[Branch]) -> None:
        """The plans being filed now for next month (the filing window is open until the deadline)."""
        month = add_months(self.current, 1)
        nodes = demo_nodes()
        # The demo secretary's branch still has next month's plan to file, so a newcomer can try filing one.
        left_to_file = nodes["branch"].pk if nodes is not None else None
        filed = []
        for b in branches:
            fate = self.plan_fate(b, month)  # drawn for every branch: the others' plans stay as they were
            if b.org.pk == left_to_file:
                fate = "none"
            meetings = self.future_meetings(b, month)
            new = self.file_plan(b, month, fate, meetings)
            if new is not None:
                filed.append((new, meetings))
        self.add_plans(filed)

    def future_meetings(self, b: Branch, month: dt.date) -> list[Meeting]:
        rng = self.rng
        ruleset = self.ruleset(month)
        out = []
        last = _month_end(month).day
        for req in requirements(b.org, month, ruleset=ruleset, groups=b.groups):
            if req.period.kind != MONTH and not due_in(req, month):
                continue
            for _ in range(req.min_count):
                if req.meeting_type == T.THEME_DAY:
                    day = month.replace(day=min(ruleset.theme_day_of_month or b.theme_day, last))
                else:
                    day = month.replace(day=rng.randint(3, min(27, last)))
                m = self.meeting(b, month, req.meeting_type, req.group, day)
                m.required, m.held = True, False
                out.append(m)
        return out

    # -- patrol -----------------------------------------------------------------------------------

    def patrol(self) -> None:
        """Each month a stratified sample (reused photos first, every committee covered), rated."""
        rng = self.rng
        by_month: dict[dt.date, list[Held]] = defaultdict(list)
        for h in self.held:
            by_month[h.month].append(h)
        reused_id = self.reused_pair[1] if self.reused_pair else None
        checks: list[PatrolCheck] = []
        meta: list[tuple[Held, bool]] = []
        for month in self.history:
            pool = sorted(by_month.get(month, []), key=lambda h: h.pk)
            if not pool:
                continue
            size = min(self.ruleset(month).patrol_sample_size, max(len(self.committees), len(pool) // 15))
            chosen = [h for h in pool if h.pk == reused_id]
            for c in self.committees:
                mine = [h for h in pool if h.branch.committee_path == c]
                if mine and not any(h.branch.committee_path == c for h in chosen):
                    chosen.append(rng.choice(mine))
            ids = {h.pk for h in chosen}
            rest = [h for h in pool if h.pk not in ids]
            rng.shuffle(rest)
            chosen += rest[: max(0, size - len(chosen))]
            sampled_at = min(_aware(add_months(month, 1).replace(day=3), 9), self.now - dt.timedelta(hours=3))
            for h in sorted(chosen, key=lambda h: h.pk):
                lag = self.lagging(h.branch, month)
                check = PatrolCheck(month=month, record_id=h.pk, org=h.branch.org, sampled_at=sampled_at)
                rated_at = sampled_at + dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8))
                pending = month == self.history[-1] and rng.random() < 0.3
                if rated_at < self.now and not pending and h.pk != reused_id:
                    if self.perfect and not lag:
                        rating = PatrolCheck.Rating.EXCELLENT
                    elif (
                        lag
                        and month == self.history[-3]
                        and h.branch.committee_path in self.parts["principal"]
                    ):
                        rating = PatrolCheck.Rating.POOR  # the one that ends up overdue
                    else:
                        weights = [10, 30, 40, 20] if lag else [50, 38, 10, 2]
                        rating = PatrolCheck.Rating(rng.choices(list(PatrolCheck.Rating.values), weights)[0])
                    check.rating, check.rated_at = rating, rated_at
                    if rating in (PatrolCheck.Rating.FAIR, PatrolCheck.Rating.POOR):
                        n = 1 if rating == PatrolCheck.Rating.FAIR else 2
                        check.reasons = sorted(
                            rng.sample(PatrolCheck.REASONS[:6], n), key=PatrolCheck.REASONS.index
                        )
                        check.comment = "；".join(REASON_ITEMS[r] for r in check.reasons)
                elif h.pk == reused_id:
                    check.rating, check.rated_at = PatrolCheck.Rating.POOR, min(rated_at, self.now)
                    check.reasons = ["照片不符", "照片重复使用"]
                    check.comment = "现场照片与其他支部纪实中的照片相同，疑似重复使用。"
                checks.append(check)
                meta.append((h, lag))
        add_patrol_checks(checks=checks)
        self.totals.patrol_checks = len(checks)
        self.rectify(checks, meta)

    def rectify(self, checks: list[PatrolCheck], meta: list[tuple[Held, bool]]) -> None:
        """Rectifications for poor (and some fair) ratings: closed on time when due, open, one overdue."""
        rng = self.rng
        rects: list[NewRectification] = []
        rehold: list[ReholdOrder] = []
        principal = set(self.parts["principal"])
        overdue_done = False
        reused_id = self.reused_pair[1] if self.reused_pair else None
        for check, (h, lag) in zip(checks, meta, strict=True):
            if not check.rating or check.rated_at is None:
                continue
            poor = check.rating == PatrolCheck.Rating.POOR
            fair = check.rating == PatrolCheck.Rating.FAIR
            reused = check.record_id == reused_id
            if not (reused or poor or (fair and rng.random() < (0.6 if lag else 0.3))) or (
                self.perfect and not lag
            ):
                continue
            if poor and lag and not reused and rng.random() < 0.25:
                rehold.append(ReholdOrder(check, "会议内容空泛、出勤不实，要求重新召开", check.rated_at))
            opened = check.rated_at + dt.timedelta(hours=1)
            deadline = (opened + dt.timedelta(days=rng.choice([15, 20, 30]))).astimezone(SHANGHAI).date()
            rect = Rectification(
                org=h.branch.org,
                record_id=check.record_id,
                patrol_check=check,
                deadline=deadline,
                opened_at=opened,
                title="纪实照片重复使用问题整改" if reused else "巡查发现问题整改",
            )
            if deadline < self.today and not overdue_done and lag and h.branch.committee_path in principal:
                overdue_done = True  # the one overdue rectification: the branch has not reported back
            elif deadline < self.today:
                rect.status = Rectification.Status.CLOSED
                rect.evidence = "已按要求完成整改，相关佐证材料已报送。"
                closed = _aware(deadline, 10) - dt.timedelta(days=rng.randint(1, 5))
                rect.closed_at = max(closed, opened + dt.timedelta(hours=20))
            elif rng.random() < 0.5:
                rect.status = Rectification.Status.SUBMITTED
                rect.evidence = "已组织整改，请审核。"
            texts = [REASON_ITEMS[r] for r in check.reasons] or ["会议记录须进一步规范完善"]
            rects.append(NewRectification(rect, texts, "已整改到位"))
        add_rehold_orders(orders=rehold)
        add_rectifications(rectifications=rects)
        self.totals.rectifications = len(rects)
        self.totals.rehold = len(rehold)

    # -- photos -----------------------------------------------------------------------------------

    def photos(self, count: int) -> None:
        """`count` recent records with one generated photo each; one photo appears again in a second branch."""
        rng = self.rng
        recent = set(self.history[-3:]) | {self.current}
        pool = sorted(
            (h for h in self.held if h.month in recent and h.meeting_type in (T.THEME_DAY, T.LECTURE)),
            key=lambda h: h.pk,
        )
        if len(pool) < 2:
            return
        # The reuser: a branch of the committee lagging longest, in one of its lagging months.
        principal = set(self.parts["principal"])
        late = [h for h in pool if h.branch.committee_path in principal and self.lagging(h.branch, h.month)]
        reuser = rng.choice(late or pool[len(pool) // 2 :])
        earlier = [h for h in pool if h.pk < reuser.pk and h.branch.org.pk != reuser.branch.org.pk]
        other_committee = [h for h in earlier if h.branch.committee_path != reuser.branch.committee_path]
        candidates = other_committee or earlier
        if not candidates:
            return
        original = rng.choice(candidates)
        rest = [h for h in pool if h.pk not in (original.pk, reuser.pk)]
        chosen = sorted([original, *rng.sample(rest, min(count - 1, len(rest)))], key=lambda h: h.pk)
        images = _distinct_photos(rng, len(chosen))
        records = MeetingRecord.objects.in_bulk([h.pk for h in [*chosen, reuser]])
        items = [
            HistoryPhoto(records[h.pk], clean, self.photo_name(h), h.created_at + dt.timedelta(minutes=3))
            for h, (_, clean) in zip(chosen, images, strict=False)
        ]
        if original.pk not in {item.record.pk for item in items}:
            return
        source = next(clean for h, (_, clean) in zip(chosen, images, strict=False) if h.pk == original.pk)
        # The same picture again, as a phone would send it: cleaned anew by the upload's own path.
        again = uploads.clean_photo(
            SimpleUploadedFile("IMG_0001.jpg", source.content, content_type="image/jpeg")
        )
        items.append(HistoryPhoto(records[reuser.pk], again, self.photo_name(reuser), reuser.created_at))
        saved = add_history_photos(items=items)
        if not saved[-1].reused_from_id:
            raise RuntimeError("演示数据：重复使用的照片未被识别")
        self.reused_pair = (original.pk, reuser.pk)
        self.totals.photos = len(saved)

    @staticmethod
    def photo_name(h: Held) -> str:
        return f"IMG_{h.ended_at:%Y%m%d}_{h.pk % 10000:04d}.jpg"

    # -- close ------------------------------------------------------------------------------------

    def close_months(self, county: Organization) -> dict[str, Any]:
        levels: dict[str, int] = defaultdict(int)
        mismatches = []
        for i, month in enumerate(self.history):
            report = close_month(month=month, roots=[county], at=_aware(add_months(month, 1), 1, 30))
            got = {r.org.path for r in report.rows if r.lagging}
            if got != self.lag_months[i]:
                mismatches.append(f"{month:%Y-%m}")
        outcomes = []
        for interview in Interview.objects.filter(month__in=self.history).select_related("org"):
            levels[interview.level] += 1
            if interview.month < self.history[-1]:
                outcomes.append(
                    InterviewOutcome(
                        interview,
                        held_on=interview.due_on - dt.timedelta(days=self.rng.randint(1, 6)),
                        interviewee_name=interview.interviewee_name or FALLBACK_NAMES[interview.level],
                        outcome=self.rng.choice(OUTCOMES),
                    )
                )
        add_interview_outcomes(outcomes=outcomes, today=self.today)
        return {"levels": dict(levels), "lag_mismatch_months": mismatches}


def check_stats(
    branches: list[Branch], months: list[dt.date], rng: random.Random, sample: int = 40
) -> list[str]:
    """Rebuild a sample of branch-months with the single-row stats path; returns those whose numbers differ
    from the bulk path's."""
    fields = ["required", "planned", "held", "credited", "unplanned", "attendance_due", "attendance_present"]
    pairs = [(b, m) for b in branches for m in months]
    differ = []
    for b, month in rng.sample(pairs, min(sample, len(pairs))):
        ours: dict[str, dict[str, Any]] = {
            r["meeting_type"]: dict(r) for r in CompletionStat.objects.filter(org=b.org, month=month).values()
        }
        theirs = {r.meeting_type: r for r in refresh_branch_month(b.org, month)}
        same = set(ours) == set(theirs) and all(
            ours[t][f] == getattr(theirs[t], f) for t in theirs for f in fields
        )
        if not same:
            differ.append(f"{b.org.code} {month:%Y-%m}")
    return differ


def _distinct_photos(rng: random.Random, n: int) -> list[tuple[bytes, uploads.CleanFile]]:
    """n small generated "meeting photos" whose perceptual hashes are far apart (none counts as reused)."""
    from PIL import Image, ImageDraw

    out: list[tuple[bytes, uploads.CleanFile]] = []
    hashes: list[int] = []
    attempts = 0
    while len(out) < n and attempts < n * 20:
        attempts += 1
        w, h = 480, 360
        wall = tuple(rng.randint(150, 235) for _ in range(3))
        img = Image.new("RGB", (w, h), wall)  # type: ignore[arg-type]
        d = ImageDraw.Draw(img)
        for _ in range(rng.randint(2, 5)):  # windows, boards, doors
            x, y = rng.randint(0, w - 60), rng.randint(0, h // 2)
            d.rectangle(
                [x, y, x + rng.randint(40, 160), y + rng.randint(30, 120)],
                fill=tuple(rng.randint(40, 255) for _ in range(3)),
            )  # type: ignore[arg-type]
        by = rng.randint(10, 60)  # the red banner
        d.rectangle([rng.randint(10, 80), by, w - rng.randint(10, 80), by + 40], fill=(200, 22, 29))
        table_y = rng.randint(200, 260)
        d.rectangle([0, table_y, w, h], fill=tuple(rng.randint(60, 140) for _ in range(3)))  # type: ignore[arg-type]
        for _ in range(rng.randint(4, 10)):  # people
            cx, cy = rng.randint(20, w - 20), rng.randint(table_y - 80, table_y - 20)
            body = tuple(rng.randint(0, 120) for _ in range(3))
            d.rectangle([cx - 18, cy + 14, cx + 18, table_y], fill=body)  # type: ignore[arg-type]
            d.ellipse([cx - 12, cy - 12, cx + 12, cy + 12], fill=(236, 200, 170))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        data = buf.getvalue()
        clean = uploads.clean_photo(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
        value = photomatch.phash(photomatch.open_grey(clean.content))
        if any(photomatch.distance(value, other) <= photomatch.CANDIDATE_DISTANCE // 2 for other in hashes):
            continue
        hashes.append(value)
        out.append((data, clean))
    return out


# ------------------------------------------------------------------------------------------- entry


def generate_orglife_demo(
    *, seed: int, scale: str, today: dt.date | None = None, stdout: Any = None
) -> dict[str, Any]:
    """Fill the generated demo county with a year of organizational life; see the module docstring.

    Returns counts and timings. Does nothing (returns {"skipped": True, "reason": ...}) when the database
    already holds plans or records, or when there is no demo tree.
    """
    from orglife.services.scores import scored_committees

    started = time.perf_counter()
    today = today or timezone.localdate()
    county = _county()
    if county is None:
        return {"skipped": True, "reason": "尚无组织数据，请先运行 generate_demo"}
    if MonthlyPlan.objects.exists() or MeetingRecord.objects.exists():
        return {"skipped": True, "reason": "数据库中已有月度计划或纪实，未重复生成组织生活演示数据"}
    rng = random.Random(seed)
    branches = _load_branches(county, rng)
    committees = [c.path for c in scored_committees(county)]
    gen = Generator(
        seed=seed, scale=scale, today=today, branches=branches, committees=committees, stdout=stdout
    )
    gen.rng = rng
    timings: dict[str, float] = {}
    gen.say(f"组织生活演示数据：{len(branches):,} 个支部，{gen.history[0]:%Y-%m} 至 {gen.current:%Y-%m} …")

    mark = time.perf_counter()
    with transaction.atomic(), _own_timestamps(MonthlyPlan, MeetingRecord):
        for month in [*gen.history, gen.current]:
            gen.write_month(month, branches)
            gen.say(f"  {month:%Y-%m}：累计纪实 {gen.totals.records:,} 条，出勤 {gen.totals.attendance:,} 条")
        gen.next_month_plans(branches)
    timings["rows"] = time.perf_counter() - mark

    mark = time.perf_counter()
    with transaction.atomic():
        gen.photos(20 if scale == "tiny" else 60)
        gen.patrol()
    timings["photos_patrol"] = time.perf_counter() - mark
    # Fresh planner statistics: without them PostgreSQL plans the stats queries as if the new
    # tables were empty (nested loops over a million attendance rows).
    analyze()

    mark = time.perf_counter()
    stat_months = [*gen.history, gen.current]
    stat_rows = rebuild_stats(orgs=[b.org for b in branches], months=stat_months)
    stats_differ = check_stats(branches, stat_months, random.Random(seed))
    timings["stats"] = time.perf_counter() - mark
    gen.say(
        f"  完成情况统计：{stat_rows:,} 行（{timings['stats']:.1f} 秒），抽查与统计服务不一致 {len(stats_differ)} 处"
    )

    mark = time.perf_counter()
    closed = gen.close_months(county)
    timings["close"] = time.perf_counter() - mark

    names = dict(Organization.objects.filter(path__in=committees).values_list("path", "short_name"))
    t = gen.totals
    result: dict[str, Any] = {
        "skipped": False,
        "seed": seed,
        "scale": scale,
        "months": [f"{m:%Y-%m}" for m in gen.history],
        "current_month": f"{gen.current:%Y-%m}",
        "branches": len(branches),
        "committees": len(committees),
        "plans": t.plans,
        "plan_items": t.plan_items,
        "late_plans": t.late_plans,
        "missing_plans": t.missing_plans,
        "returned_plans": t.returned_plans,
        "records": t.records,
        "unplanned_records": t.unplanned,
        "backfills": t.backfills,
        "attendance": t.attendance,
        "photos": t.photos,
        "patrol_checks": t.patrol_checks,
        "rectifications": t.rectifications,
        "rehold": t.rehold,
        "stat_rows": stat_rows,
        "stats_differ": stats_differ,
        "interview_levels": closed["levels"],
        "lag_mismatch_months": closed["lag_mismatch_months"],
        "lagging": {part: [names.get(p, p) for p in paths] for part, paths in gen.parts.items()},
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    record_event(
        actor=None,
        actor_name="orglife_demo",
        action=AuditEvent.Action.IMPORT,
        target_repr="组织生活演示数据",
        summary={k: result[k] for k in ("seed", "scale", "plans", "records", "attendance", "seconds")},
    )
    return result
