"""Reads across the quiz models: item analysis, participation by node, a member's streak."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q
from quizzes.models import Attempt, AttemptItem, Campaign, Question, QuestionVersion

GROUP_SHARE = Decimal("0.27")


def audience(campaign: Campaign, on: dt.date | None = None) -> QuerySet[Member]:
    """Who may take the campaign, resolved now: the members under its node today, narrowed to the named
    members, or else to the holders of its posts on `on` (as the learning assignments resolve theirs)."""
    members = Member.objects.filter(under_path_q(campaign.org.path, "org__path")).active()
    named = list(campaign.members.values_list("pk", flat=True))
    if named:
        return members.filter(pk__in=named)
    if campaign.titles:
        day = on or timezone.localdate()
        holders = Position.objects.filter(title__in=campaign.titles, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )
        members = members.filter(pk__in=holders.values("member_id"))
    return members


AUDIENCE_NAMES_SHOWN = 20


def audience_text(campaign: Campaign) -> str:
    """Who the campaign is for, in words, resolved as `audience` resolves it (named members replace posts)."""
    where = f"{campaign.org.name}及下级党组织"
    named = list(
        campaign.members.order_by("org__path", "name", "pk").values_list(
            "name", "org__short_name", "org__name"
        )
    )
    if named:
        shown = "、".join(f"{name}（{short or org}）" for name, short, org in named[:AUDIENCE_NAMES_SHOWN])
        more = f"等 {len(named)} 人" if len(named) > AUDIENCE_NAMES_SHOWN else f"共 {len(named)} 人"
        return f"{where}中的指定党员：{shown}{more}"
    if campaign.titles:
        labels = "、".join(str(label) for value, label in Position.Title.choices if value in campaign.titles)
        return f"{where}中现任{labels}的党员"
    return f"{where}全体党员"


def members_by_names(org: Organization, names: list[str]) -> tuple[list[int], list[str]]:
    """Resolve typed names (姓名, or 姓名@支部简称 when two share a name) to active members under `org`.
    Returns the ids and one Chinese error per name not found or still ambiguous."""
    ids: list[int] = []
    errors: list[str] = []
    under = Member.objects.active().filter(under_path_q(org.path, "org__path"))
    for typed in dict.fromkeys(names):
        name, _, branch = typed.partition("@")
        found = under.filter(name=name)
        if branch:
            found = found.filter(Q(org__short_name=branch) | Q(org__name=branch))
        rows = list(found.values_list("pk", "org__short_name", "org__name")[:6])
        if not rows:
            errors.append(f"范围内没有党员“{typed}”")
        elif len(rows) > 1:
            where = "、".join(sorted({short or full for _, short, full in rows}))
            errors.append(f"“{typed}”有重名（{where}），请写作“姓名@支部简称”")
        else:
            ids.append(rows[0][0])
    return ids, errors


@dataclass
class ItemStat:
    question_id: int
    stem: str
    kind: str
    answered: int
    difficulty: Decimal | None  # share correct (mean credit)
    discrimination: Decimal | None  # top 27% minus bottom 27%
    options: list[tuple[str, int, bool]] = field(default_factory=list)  # text, times chosen, correct


def closed_attempts(campaign: Campaign) -> QuerySet[Attempt]:
    return Attempt.objects.filter(campaign=campaign).exclude(status=Attempt.Status.OPEN)


_GROUPED = """
WITH grouped AS MATERIALIZED (
    SELECT id, CASE
        WHEN %(n)s > 0 AND (score > %(top_score)s OR (score = %(top_score)s AND id <= %(top_pk)s)) THEN 1
        WHEN %(n)s > 0 AND (score < %(low_score)s OR (score = %(low_score)s AND id >= %(low_pk)s)) THEN -1
        ELSE 0 END AS g
    FROM {attempt} WHERE campaign_id = %(campaign)s AND status <> %(open)s
)
SELECT i.question_id, COUNT(*), SUM(COALESCE(i.credit, 0)),
       SUM(CASE WHEN g.g = 1 THEN COALESCE(i.credit, 0) END), SUM(CASE WHEN g.g = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN g.g = -1 THEN COALESCE(i.credit, 0) END), SUM(CASE WHEN g.g = -1 THEN 1 ELSE 0 END),
       MAX(i.version_id)
FROM {item} i JOIN grouped g ON g.id = i.attempt_id
GROUP BY i.question_id
"""


def _sum(value: Any) -> Decimal:
    """A SUM of credits (three decimal places) as the exact Decimal: SQLite sums in floating point."""
    return Decimal(value if isinstance(value, Decimal) else repr(value or 0)).quantize(Decimal("0.001"))


def item_analysis(campaign: Campaign) -> list[ItemStat]:
    """Per question: difficulty index, discrimination (Kelley's upper and lower 27%), option counts.

    Aggregated in the database: the ranking's two boundary attempts are read first; one statement then
    puts every closed attempt in its group once (top 1, bottom -1, else 0) and aggregates the item rows
    joined to that, and one counts the responses. A question shown in several versions is described by
    the latest version shown."""
    closed = closed_attempts(campaign)
    ranked = [(s or Decimal(0), pk) for s, pk in closed.order_by("-score", "pk").values_list("score", "pk")]
    n = max(1, int(len(ranked) * GROUP_SHARE)) if len(ranked) >= 4 else 0
    top_score, top_pk = ranked[n - 1] if n else (Decimal(0), 0)
    low_score, low_pk = ranked[len(ranked) - n] if n else (Decimal(0), 0)
    sql = _GROUPED.format(
        attempt=connection.ops.quote_name(Attempt._meta.db_table),
        item=connection.ops.quote_name(AttemptItem._meta.db_table),
    )
    params: dict[str, Any] = {
        "n": n,
        "top_score": top_score,
        "top_pk": top_pk,
        "low_score": low_score,
        "low_pk": low_pk,
        "campaign": campaign.pk,
        "open": Attempt.Status.OPEN.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stats = cursor.fetchall()
    items = AttemptItem.objects.filter(attempt__campaign=campaign).exclude(
        attempt__status=Attempt.Status.OPEN
    )
    chosen: dict[int, Counter[int]] = defaultdict(Counter)
    for qid, response, times in (
        items.exclude(question__kind=Question.Kind.FILL)
        .values_list("question_id", "response")
        .annotate(times=Count("pk"))
        .order_by()
    ):
        for index in response or []:
            chosen[qid][index] += times
    versions = {
        v.pk: v
        for v in QuestionVersion.objects.filter(pk__in=[r[7] for r in stats]).select_related("question")
    }
    out = []
    cent = Decimal("0.01")
    for qid, answered, total, up, nu, low, nl, version_id in stats:
        version = versions[version_id]
        kind = version.question.kind
        disc = None
        if nu and nl:
            disc = (_sum(up) / nu - _sum(low) / nl).quantize(cent)
        out.append(
            ItemStat(
                question_id=qid,
                stem=version.stem,
                kind=kind,
                answered=answered,
                difficulty=(_sum(total) / answered).quantize(cent),
                discrimination=disc,
                options=[(o, chosen[qid][i], i in version.answer) for i, o in enumerate(version.options)]
                if kind != Question.Kind.FILL
                else [],
            )
        )
    out.sort(key=lambda s: (s.discrimination if s.discrimination is not None else Decimal(9), s.question_id))
    return out


@dataclass
class NodeRow:
    org: Organization
    members: int
    took: int
    passed: int

    @property
    def rate(self) -> str:
        return f"{self.took * 100 / self.members:.0f}%" if self.members else "—"

    @property
    def pass_rate(self) -> str:
        return f"{self.passed * 100 / self.took:.0f}%" if self.took else "—"


def participation(campaign: Campaign, node: Organization) -> list[NodeRow]:
    """Participation and pass rate for each child of `node` (the drill-down of the completion board)."""
    children = list(Organization.objects.filter(parent=node).order_by("path")) or [node]
    members = (
        audience(campaign).filter(under_path_q(node.path, "org__path")).values_list("org__path", flat=True)
    )
    per_member = (
        closed_attempts(campaign)
        .filter(under_path_q(node.path, "member__org__path"))
        .values("member_id", "member__org__path")
        .annotate(passed=Count("pk", filter=Q(passed=True)))
    )
    rows = {c.path: NodeRow(c, 0, 0, 0) for c in children}

    def row_for(path: str) -> NodeRow | None:
        return next((r for p, r in rows.items() if path.startswith(p)), None)

    for path in members.iterator(chunk_size=5000):
        if (r := row_for(path)) is not None:
            r.members += 1
    for a in per_member:
        if (r := row_for(a["member__org__path"])) is not None:
            r.took += 1
            r.passed += 1 if a["passed"] else 0
    return list(rows.values())


def leaderboard(campaign: Campaign, node: Organization, limit: int = 10) -> list[dict[str, Any]]:
    """The members with the best score (then the earliest submission) under `node`."""
    rows = (
        closed_attempts(campaign)
        .filter(under_path_q(node.path, "member__org__path"))
        .order_by("-score", "submitted_at")
        .values("member__name", "member__org__name", "score", "submitted_at")[:limit]
    )
    return [dict(r) for r in rows]


def practice_streak(member_id: int, today: dt.date | None = None) -> int:
    """Consecutive days of finished 每日一练 up to today (or yesterday, when today's is not done yet)."""
    today = today or timezone.localdate()
    days = set(
        Attempt.objects.filter(campaign=None, member_id=member_id, submitted_at__isnull=False)
        .filter(practice_on__gte=today - dt.timedelta(days=366))
        .values_list("practice_on", flat=True)
    )
    day = today if today in days else today - dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak
