"""月积分 and 约谈: the month-end score of each 党(工)委, its rank, and escalating interviews.

Score of a committee for month M (each part 0–100, weights from the rule set in force for M, as
percentages):

    总分 = (完成率 × 完成率权重 + 质量分 × 质量权重 + 整改分 × 整改权重) ÷ (三项权重之和)

- 完成率 (completion): Σ credited ÷ Σ required over the CompletionStat rows of its branches for M
  (no requirement at all → 100).
- 质量分 (patrol quality): the average rating of its patrol checks of M (PatrolCheck.month = M),
  优 100 / 良 85 / 一般 70 / 差 50; no rated check → 100 (nothing found wanting).
- 整改分 (rectification): the share of its rectifications due in M (deadline within M) that were
  closed by their deadline, × 100; none due → 100.

Committees are ranked within their county (ties share a rank). A committee lags when it is among
the last `lag_bottom_n` ranks (rank > count − N; ties are never split, and a committee tied with the
best is never "behind") or its total is below
`lag_threshold`. `consecutive_lag` = 1 + the previous month's when both lag. A lagging committee
gets one 约谈 per month: 1st month the 组织委员, 2nd consecutive the 副书记, 3rd or more the
主要负责人 plus a self-analysis (剖析发言) at the quarterly meeting.

Closing a month replaces that month's rows: re-running it on the same data gives the same scores,
ranks and interviews (an interview already done is never touched; a pending one follows the data).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from notifications.services import enqueue_many
from orglife import defaults, uploads
from orglife.models import CompletionStat, Interview, MonthlyScore, PatrolCheck, Rectification, RuleSet
from orglife.periods import SHANGHAI, add_months, first_of_month, local_today
from orglife.rules import LIFE_KINDS, ruleset_for
from orglife.services.rules import is_department_admin
from orglife.services.stats import ensure_stats
from orgs.access import covers
from orgs.models import Organization, Position, RoleGrant
from orgs.paths import subtree_q, under_path_q
from orgs.roles import Role

D2 = Decimal("0.01")
HUNDRED = Decimal(100)
RATING_POINTS = defaults.PATROL_RATING_POINTS
NEUTRAL = HUNDRED  # no patrol check / no rectification due: nothing found wanting
LEVEL_TITLES: dict[str, str] = {
    Interview.Level.ORGANIZATION_MEMBER: Position.Title.ORGANIZATION,
    Interview.Level.DEPUTY_SECRETARY: Position.Title.DEPUTY_SECRETARY,
    Interview.Level.PRINCIPAL: Position.Title.SECRETARY,
}


def q2(value: Decimal) -> Decimal:
    return value.quantize(D2, rounding=ROUND_HALF_UP)


def formula(ruleset: RuleSet) -> str:
    return (
        f"总分 =（完成率×{ruleset.weight_completion} + 质量分×{ruleset.weight_quality} + "
        f"整改分×{ruleset.weight_rectification}）÷ {weight_sum(ruleset)}"
    )


def weight_sum(ruleset: RuleSet) -> int:
    return ruleset.weight_completion + ruleset.weight_quality + ruleset.weight_rectification


def level_for(consecutive_lag: int) -> str:
    if consecutive_lag >= 3:
        return Interview.Level.PRINCIPAL
    if consecutive_lag == 2:
        return Interview.Level.DEPUTY_SECRETARY
    return Interview.Level.ORGANIZATION_MEMBER


# -- which committees are scored -------------------------------------------------------------------


def county_roots() -> list[Organization]:
    """The county committees: nodes whose committee children mostly lead branches directly.

    In the county demo that is the root; in the province tree, each county under its city.
    """
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: {"life": 0, "committee": 0})
    kind_of: dict[int, tuple[str, int | None]] = {}
    for pk, kind, parent_id in Organization.objects.filter(is_active=True).values_list(
        "pk", "kind", "parent_id"
    ):
        kind_of[pk] = (kind, parent_id)
        if kind in LIFE_KINDS:
            counts[parent_id]["life"] += 1
        elif kind in Organization.COMMITTEE_KINDS:
            counts[parent_id]["committee"] += 1
    # For each node: its committee children's direct branch children vs their committee children.
    score: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, (kind, parent) in kind_of.items():
        if kind in Organization.COMMITTEE_KINDS and parent is not None:
            score[parent][0] += counts[pk]["life"]
            score[parent][1] += counts[pk]["committee"]
    root_ids = [pk for pk, (life, committees) in score.items() if life > 0 and life > committees]
    return list(Organization.objects.filter(pk__in=root_ids).order_by("path"))


def scored_committees(root: Organization) -> list[Organization]:
    """Children of the county root of a committee kind that have branches under them."""
    children = list(
        Organization.objects.filter(
            parent=root, kind__in=Organization.COMMITTEE_KINDS, is_active=True
        ).order_by("path")
    )
    with_branches = set(
        Organization.objects.filter(
            under_path_q(root.path), kind__in=LIFE_KINDS, is_active=True, depth__gt=root.depth + 1
        )
        .annotate(prefix=Substr("path", 1, len(root.path) + 4))
        .values_list("prefix", flat=True)
        .distinct()
    )
    return [c for c in children if c.path in with_branches]


# -- the parts of the score --------------------------------------------------------------------------


def _by_prefix(qs: Any, path_field: str, length: int) -> Any:
    return qs.annotate(prefix=Substr(path_field, 1, length)).values("prefix")


@dataclass
class ScoreRow:
    org: Organization
    branches: int
    completion_rate: Decimal
    quality_score: Decimal
    rectification_score: Decimal
    total: Decimal
    rank: int = 0
    lagging: bool = False
    consecutive_lag: int = 0


def compute_scores(root: Organization, month: dt.date, ruleset: RuleSet) -> list[ScoreRow]:
    """Scores and ranks of the county's committees for the month (nothing is written)."""
    committees = scored_committees(root)
    if not committees:
        return []
    length = len(root.path) + 4  # every scored committee is a child of the root
    paths = [c.path for c in committees]
    in_scope = subtree_q(paths, "org_path")

    completion = {
        r["prefix"]: (r["req"] or 0, r["cred"] or 0)
        for r in _by_prefix(
            CompletionStat.objects.filter(in_scope, month=month), "org_path", length
        ).annotate(req=Sum("required"), cred=Sum("credited"))
    }
    branches = {
        r["prefix"]: r["n"]
        for r in _by_prefix(
            Organization.objects.filter(subtree_q(paths), kind__in=LIFE_KINDS, is_active=True), "path", length
        ).annotate(n=Count("id"))
    }
    ratings: dict[str, list[int]] = defaultdict(list)
    for r in (
        _by_prefix(
            PatrolCheck.objects.filter(subtree_q(paths, "org__path"), month=month).exclude(rating=""),
            "org__path",
            length,
        )
        .annotate(n=Count("id"))
        .values_list("prefix", "rating", "n")
    ):
        prefix, rating, n = r
        if rating in RATING_POINTS:
            ratings[prefix].extend([RATING_POINTS[rating]] * n)
    end = add_months(month, 1) - dt.timedelta(days=1)
    rect: dict[str, list[bool]] = defaultdict(list)
    for path, status, closed_at, deadline in Rectification.objects.filter(
        subtree_q(paths, "org__path"), deadline__gte=month, deadline__lte=end
    ).values_list("org__path", "status", "closed_at", "deadline"):
        on_time = (
            status == Rectification.Status.CLOSED
            and closed_at is not None
            and closed_at.astimezone(SHANGHAI).date() <= deadline
        )
        rect[path[:length]].append(on_time)

    weights = (ruleset.weight_completion, ruleset.weight_quality, ruleset.weight_rectification)
    wsum = sum(weights)
    rows: list[ScoreRow] = []
    for committee in committees:
        req, cred = completion.get(committee.path, (0, 0))
        comp = q2(Decimal(min(cred, req)) * HUNDRED / Decimal(req)) if req else NEUTRAL
        points = ratings.get(committee.path)
        quality = q2(Decimal(sum(points)) / Decimal(len(points))) if points else NEUTRAL
        due = rect.get(committee.path)
        rectification = q2(Decimal(sum(due)) * HUNDRED / Decimal(len(due))) if due else NEUTRAL
        if wsum:
            total = q2(
                (comp * weights[0] + quality * weights[1] + rectification * weights[2]) / Decimal(wsum)
            )
        else:
            total = comp
        rows.append(ScoreRow(committee, branches.get(committee.path, 0), comp, quality, rectification, total))
    rank_and_flag(rows, ruleset)
    return rows


def rank_and_flag(rows: list[ScoreRow], ruleset: RuleSet) -> None:
    """Competition ranks (1, 2, 2, 4) by total; lagging = bottom N ranks or below the threshold."""
    rows.sort(key=lambda r: (-r.total, r.org.path))
    count = len(rows)
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].total == row.total else i + 1
        # Nobody is "behind" a committee it ties with: when every total is equal, no one lags by rank.
        in_bottom = (
            ruleset.lag_bottom_n > 0 and row.rank > count - ruleset.lag_bottom_n and row.total < rows[0].total
        )
        row.lagging = in_bottom or row.total < Decimal(ruleset.lag_threshold)


# -- the month-end job ---------------------------------------------------------------------------------


@dataclass
class CloseReport:
    month: dt.date
    committees: int = 0
    lagging: int = 0
    interviews_created: int = 0
    interviews_updated: int = 0
    interviews_removed: int = 0
    notices: int = 0
    rows: list[ScoreRow] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.month:%Y年%m月}：{self.committees} 个党(工)委计分，{self.lagging} 个落后；"
            f"新建约谈 {self.interviews_created} 个，调整 {self.interviews_updated} 个，"
            f"撤销 {self.interviews_removed} 个"
        )


def interview_due_on(month: dt.date) -> dt.date:
    return add_months(month, 1) + dt.timedelta(days=settings.XIANFENG_INTERVIEW_DUE_DAYS - 1)


def require_closer(actor: User | None) -> None:
    """Only the 组织部管理员 closes a month; a command or a task closes it as the system (actor None)."""
    if actor is not None and not is_department_admin(actor):
        raise PermissionDenied("只有组织部管理员可以进行月末结算")


def require_ended(month: dt.date) -> None:
    """A month is closed once it is over: the ranking of a running month would change under it."""
    if first_of_month(month) >= first_of_month(local_today()):
        raise ValidationError({"month": "只能结算已经结束的月份"}, code="month_not_ended")


@transaction.atomic
def close_month(
    *,
    month: dt.date,
    actor: User | None = None,
    roots: list[Organization] | None = None,
    at: dt.datetime | None = None,
) -> CloseReport:
    """Score every county's committees for `month`, store the ranking, and escalate the laggards.

    `at` is when the month is taken as closed (history imports, the demo; it must not be in the future
    nor before the month ended): the scores' computed time and the interviews' creation time."""
    require_closer(actor)
    require_ended(month)
    month = first_of_month(month)
    ruleset = ruleset_for(month)
    roots = roots if roots is not None else county_roots()
    # Idle branches have no stats rows yet; without them an idle branch would not lower completion.
    for root in roots:
        ensure_stats(month=month, under=root)
    now = timezone.now()
    if at is not None:
        if at > now or timezone.localdate(at) < add_months(month, 1):
            raise ValidationError("结算时间须在该月结束之后、当前时间之前")
        now = at
    report = CloseReport(month=month)
    rows: list[ScoreRow] = []
    for root in roots:
        rows.extend(compute_scores(root, month, ruleset))
    committee_ids = [r.org.pk for r in rows]

    previous = dict(
        MonthlyScore.objects.filter(
            month=add_months(month, -1), org_id__in=committee_ids, lagging=True
        ).values_list("org_id", "consecutive_lag")
    )
    for row in rows:
        row.consecutive_lag = (previous.get(row.org.pk, 0) + 1) if row.lagging else 0

    MonthlyScore.objects.filter(month=month, org_id__in=committee_ids).delete()
    MonthlyScore.objects.bulk_create(
        [
            MonthlyScore(
                org=r.org,
                org_path=r.org.path,
                month=month,
                ruleset=ruleset,
                branches=r.branches,
                completion_rate=r.completion_rate,
                quality_score=r.quality_score,
                rectification_score=r.rectification_score,
                total=r.total,
                rank=r.rank,
                lagging=r.lagging,
                consecutive_lag=r.consecutive_lag,
                computed_at=now,
            )
            for r in rows
        ],
        batch_size=500,
    )
    report.committees = len(rows)
    report.rows = rows
    report.lagging = sum(1 for r in rows if r.lagging)
    _escalate(rows, month, now, report, actor)
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target_repr=f"{month:%Y年%m月} 月积分与约谈",
        summary={
            "event": "orglife.month_closed",
            "month": f"{month:%Y-%m}",
            "committees": report.committees,
            "lagging": report.lagging,
            "interviews_created": report.interviews_created,
            "interviews_updated": report.interviews_updated,
            "interviews_removed": report.interviews_removed,
        },
        actor_name="" if actor is not None else "system",
    )
    return report


def _escalate(
    rows: list[ScoreRow], month: dt.date, now: dt.datetime, report: CloseReport, actor: User | None
) -> None:
    lagging = {r.org.pk: r for r in rows if r.lagging}
    existing = {
        i.org_id: i for i in Interview.objects.filter(month=month, org_id__in=[r.org.pk for r in rows])
    }
    for org_id, interview in existing.items():
        if interview.status == Interview.Status.PENDING and org_id not in lagging:
            interview.delete()
            report.interviews_removed += 1
    names = _post_holders(list(lagging))
    due_on = interview_due_on(month)
    created: list[Interview] = []
    for org_id, row in lagging.items():
        level = level_for(row.consecutive_lag)
        name = names.get((org_id, LEVEL_TITLES[level]), "")
        if level == Interview.Level.PRINCIPAL and not name:
            name = row.org.secretary_name
        found = existing.get(org_id)
        if found is not None:
            if found.status == Interview.Status.PENDING and (
                found.level != level or found.consecutive_lag != row.consecutive_lag
            ):
                found.level = level
                found.consecutive_lag = row.consecutive_lag
                found.requires_self_analysis = level == Interview.Level.PRINCIPAL
                found.interviewee_name = found.interviewee_name or name
                found.save(
                    update_fields=["level", "consecutive_lag", "requires_self_analysis", "interviewee_name"]
                )
                report.interviews_updated += 1
            continue
        interview = Interview.objects.create(
            org=row.org,
            month=month,
            level=level,
            consecutive_lag=row.consecutive_lag,
            requires_self_analysis=level == Interview.Level.PRINCIPAL,
            due_on=due_on,
            interviewee_name=name,
            created_at=now,
        )
        created.append(interview)
        record_event(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=interview,
            org=row.org,
            summary={
                "event": "orglife.interview_created",
                "level": level,
                "consecutive_lag": row.consecutive_lag,
                "total": str(row.total),
            },
            actor_name="" if actor is not None else "system",
        )
    report.interviews_created = len(created)
    report.notices = len(_notify_admins(lagging, month))


def _post_holders(org_ids: list[int]) -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], str] = {}
    for org_id, title, name in (
        Position.objects.current()
        .filter(org_id__in=org_ids, title__in=list(LEVEL_TITLES.values()))
        .order_by("org_id", "title", "-started_on")
        .values_list("org_id", "title", "member__name")
    ):
        out.setdefault((org_id, title), name)
    return out


def _notify_admins(lagging: dict[int, ScoreRow], month: dt.date) -> list[Message]:
    specs: list[dict[str, Any]] = []
    grants = RoleGrant.objects.filter(
        org_id__in=list(lagging), role=Role.COMMITTEE_ADMIN, user__is_active=True
    ).select_related("user", "org")
    for grant in grants:
        row = lagging[grant.org_id]
        level = Interview.Level(level_for(row.consecutive_lag)).label
        extra = "，并须在季度调度会上作剖析发言" if row.consecutive_lag >= 3 else ""
        specs.append(
            {
                "channel": Message.Channel.SITE,
                "dedupe_key": f"interview:{grant.org_id}:{month:%Y-%m}:u{grant.user_id}:site",
                "recipient": grant.user,
                "org": grant.org,
                "title": f"{month:%Y年%m月}月积分落后提醒",
                "body": (
                    f"{grant.org.display_name}{month:%Y年%m月}月积分 {row.total} 分，排名第 {row.rank} 位，"
                    f"连续落后 {row.consecutive_lag} 个月，将{level}{extra}。请对照问题抓好整改。"
                ),
            }
        )
    return enqueue_many(specs)


# -- interviews -------------------------------------------------------------------------------------


def can_interview(user: User, interview: Interview) -> bool:
    """约谈 is recorded by the level above the committee (the county's 组织部), not by the committee."""
    parent = interview.org.parent
    return parent is not None and covers(user, parent.path, write=True)


def require_interviewer(user: User, interview: Interview) -> None:
    if not can_interview(user, interview):
        raise PermissionDenied("约谈由上级组织部门记录")


@transaction.atomic
def record_interview(
    *,
    actor: User,
    interview: Interview,
    held_on: dt.date,
    interviewee_name: str,
    outcome: str,
    attachment: Any = None,
) -> Interview:
    """Record how the interview went (date, who, outcome, optional attachment: PDF/Word/Excel/photo)."""
    require_interviewer(actor, interview)
    if interview.status == Interview.Status.DONE:
        raise ValidationError("约谈已办结，记录不能再修改")
    before = {"held_on": str(interview.held_on or ""), "outcome": interview.outcome}
    interview.held_on = held_on
    interview.interviewee_name = interviewee_name
    interview.outcome = outcome
    if attachment is not None:
        data = attachment.read(16)
        attachment.seek(0)
        kind = uploads.sniff(data)
        clean = (
            uploads.clean_photo(attachment)
            if kind in ("jpeg", "png", "webp")
            else uploads.clean_attachment(attachment)
        )
        if interview.attachment:
            interview.attachment.delete(save=False)
        interview.attachment.save(
            uploads.random_name(clean.extension), ContentFile(clean.content), save=False
        )
    interview.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=interview,
        org=interview.org,
        summary={
            "event": "orglife.interview_recorded",
            "before": before,
            "held_on": str(held_on),
            "attachment": bool(interview.attachment),
        },
    )
    return interview


def outcome_errors(held_on: dt.date | None, outcome: str) -> list[str]:
    """What a finished interview needs (complete_interview and the bulk path add_interview_outcomes)."""
    if not held_on or not outcome.strip():
        return ["请先填写约谈日期和约谈情况"]
    return []


@dataclass
class InterviewOutcome:
    """For `add_interview_outcomes`: how a past interview went."""

    interview: Interview
    held_on: dt.date
    interviewee_name: str
    outcome: str


@transaction.atomic
def add_interview_outcomes(*, outcomes: list[InterviewOutcome], today: dt.date | None = None) -> None:
    """Bulk path of `record_interview` + `complete_interview` (history imports, the demo): each interview
    still open gets its date, interviewee and outcome and is done — `outcome_errors` as the single path
    checks it, the date after the interview was ordered and not in the future. Checked for the whole batch
    before anything is written; one audit row for the batch."""
    today = today or timezone.localdate()
    errors: list[str] = []
    for o in outcomes:
        i = o.interview
        where = f"{i.org.display_name} {i.month:%Y-%m}"
        bad = outcome_errors(o.held_on, o.outcome)
        if i.status == Interview.Status.DONE:
            bad.append("约谈已办结，记录不能再修改")
        if o.held_on and (o.held_on > today or o.held_on < timezone.localdate(i.created_at)):
            bad.append("约谈日期须在约谈下达之后、今天之前")
        errors += [f"{where}：{m}" for m in bad]
    if errors:
        raise ValidationError(errors)
    interviews = []
    for o in outcomes:
        i = o.interview
        i.held_on, i.outcome = o.held_on, o.outcome.strip()
        i.interviewee_name = o.interviewee_name.strip() or i.interviewee_name
        i.status = Interview.Status.DONE
        interviews.append(i)
    Interview.objects.bulk_update(
        interviews, ["held_on", "outcome", "interviewee_name", "status"], batch_size=500
    )
    record_event(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        target_repr="约谈记录（历史）",
        summary={"event": "orglife.interviews_done", "count": len(interviews)},
        actor_name="system",
    )


@transaction.atomic
def complete_interview(*, actor: User, interview: Interview) -> Interview:
    """Mark the interview done; it needs its date and outcome first."""
    require_interviewer(actor, interview)
    errors = outcome_errors(interview.held_on, interview.outcome)
    if errors:
        raise ValidationError(errors)
    if interview.status == Interview.Status.DONE:
        return interview
    interview.status = Interview.Status.DONE
    interview.completed_by = actor
    interview.save(update_fields=["status", "completed_by"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=interview,
        org=interview.org,
        summary={"event": "orglife.interview_done"},
    )
    return interview
