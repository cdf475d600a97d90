"""Drawing questions for an attempt: quotas per category (with its subtree) and difficulty, the least used
in the campaign first, no repeats, options shuffled; all from a stored seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from orgs.models import Organization
from quizzes.models import SHUFFLE_BITS, Campaign, CampaignUsage, Category, Difficulty, DrawCursor, Question

SEED_BITS = 62
# The advisory lock space of the quiz draws (PostgreSQL's two-key form: "XFQZ", then the campaign id).
DRAW_LOCK = 0x5846515A


def new_seed() -> int:
    return random.SystemRandom().getrandbits(SEED_BITS)


def bank_q(org_path: str) -> Q:
    """Questions of the banks a node draws from: its own and its ancestors'."""
    prefixes = [org_path[:i] for i in range(1, len(org_path) + 1)]
    return Q(org__path__in=prefixes)


def subtree_ids(category_ids: Iterable[int]) -> set[int]:
    """The categories and all their descendants (the tree is shallow: one query per level)."""
    found = set(category_ids)
    frontier = set(found)
    while frontier:
        frontier = set(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


@dataclass(frozen=True)
class Quota:
    category: int
    difficulty: int | None
    count: int

    def label(self, names: dict[int, str]) -> str:
        level = Difficulty(self.difficulty).label if self.difficulty else "不限难度"
        return f"“{names.get(self.category, self.category)}”{level}"


def parse_quotas(raw: Sequence[dict[str, Any]]) -> list[Quota]:
    quotas = []
    for row in raw:
        try:
            difficulty = int(row["difficulty"]) if row.get("difficulty") not in (None, "") else None
            quota = Quota(int(row["category"]), difficulty, int(row["count"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"quotas": ["抽题规则格式不正确"]}) from None
        if quota.count < 1 or (difficulty is not None and difficulty not in Difficulty.values):
            raise ValidationError({"quotas": ["每条抽题规则的题数应大于 0，难度应为易、中、难"]})
        quotas.append(quota)
    if not quotas:
        raise ValidationError({"quotas": ["请至少设置一条抽题规则"]})
    return quotas


def candidates(org: Organization, quota: Quota) -> QuerySet[Question]:
    qs = Question.objects.filter(
        bank_q(org.path),
        category_id__in=subtree_ids([quota.category]),
        retired_at__isnull=True,
        current__isnull=False,
    )
    return qs.filter(difficulty=quota.difficulty) if quota.difficulty else qs


def check_quotas(org: Organization, quotas: Sequence[Quota]) -> None:
    """Refuse a campaign whose quotas the bank cannot fill (counted per quota, then altogether)."""
    names = dict(Category.objects.filter(pk__in=[q.category for q in quotas]).values_list("pk", "name"))
    errors = []
    union: set[int] = set()
    for quota in quotas:
        if quota.category not in names:
            errors.append(f"分类 {quota.category} 不存在")
            continue
        ids = set(candidates(org, quota).values_list("pk", flat=True))
        union |= ids
        if len(ids) < quota.count:
            errors.append(f"{quota.label(names)}只有 {len(ids)} 道可用题目，少于要求的 {quota.count} 道")
    total = sum(q.count for q in quotas)
    if not errors and len(union) < total:
        errors.append(f"各条规则合计需要 {total} 道不同题目，题库中符合的只有 {len(union)} 道")
    if errors:
        raise ValidationError({"quotas": errors})


def lock_draws(campaign: Campaign) -> None:
    """Serialize the campaign's draws until the end of the transaction: each reads the usage the previous
    one counted, so members starting at the same second still cover the bank evenly (without it, sixteen
    simultaneous starts all saw zero uses and drew some questions three times more than others).

    PostgreSQL: an advisory lock per campaign, not the campaign's row, which voiding locks before the
    members whose points it reverses (a start holds its member's row first: locking the campaign row
    there would close a cycle). Callers lock their member first. SQLite: the transaction began IMMEDIATE
    and already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DRAW_LOCK, campaign.pk])


def _subtrees(org: Organization, roots: Iterable[int]) -> dict[int, set[int]]:
    """Each root category with all its descendants, from one read of the bank's categories."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.filter(bank_q(org.path)).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out = {}
    for root in roots:
        found, frontier = {root}, [root]
        while frontier:
            frontier = [c for p in frontier for c in children.get(p, ()) if c not in found]
            found.update(frontier)
        out[root] = found
    return out


def draw(campaign: Campaign, rng: random.Random) -> list[Question]:
    """The attempt's questions, quota by quota: least used in the campaign first, no repeats.

    Every question has a random place in one cycle of the bank (Question.shuffle); each quota of the
    campaign keeps a cursor in that cycle (DrawCursor, started at a place the first attempt's seed picks)
    and takes the next questions of its pool after it, wrapping around. So a pool is drawn through once
    before any question is drawn again — least used first, counts never more than one apart within a
    quota — in a few index reads whatever the bank's size, instead of reading the whole pool's usage.
    (A question added mid-cycle is met when the cursor passes its place.) Usage is still counted per
    campaign (daily practice keeps a live exam's questions out; the editor sees times drawn). The caller
    holds the transaction; the draw holds the campaign's draw lock to its end."""
    lock_draws(campaign)
    quotas = parse_quotas(campaign.quotas)
    trees = _subtrees(campaign.org, {q.category for q in quotas})
    cursors = {c.quota: c for c in DrawCursor.objects.filter(campaign=campaign)}
    picked: list[int] = []
    for index, quota in enumerate(quotas):
        cursor = cursors.get(index)
        if cursor is None:
            cursor = cursors[index] = DrawCursor(
                campaign=campaign, quota=index, position=rng.getrandbits(SHUFFLE_BITS)
            )
        pool = Question.objects.filter(
            bank_q(campaign.org.path),
            category_id__in=sorted(trees[quota.category]),
            retired_at__isnull=True,
            current__isnull=False,
        )
        if quota.difficulty:
            pool = pool.filter(difficulty=quota.difficulty)
        if picked:
            pool = pool.exclude(pk__in=picked)
        ahead = pool.filter(shuffle__gt=cursor.position).order_by("shuffle")
        rows = list(ahead.values_list("pk", "shuffle")[: quota.count])
        if len(rows) < quota.count:  # the end of the cycle: wrap around to its start
            behind = pool.filter(shuffle__lte=cursor.position).order_by("shuffle")
            rows += list(behind.values_list("pk", "shuffle")[: quota.count - len(rows)])
        if len(rows) < quota.count:
            raise ValidationError("题库中可用题目不足，请联系活动管理员")
        cursor.position = rows[-1][1]
        picked.extend(pk for pk, _ in rows)
    known = [c for c in cursors.values() if c.pk is not None]
    DrawCursor.objects.bulk_create([c for c in cursors.values() if c.pk is None])
    DrawCursor.objects.bulk_update(known, ["position"])
    count_use(campaign, picked)
    by_pk = Question.objects.select_related("current").in_bulk(picked)
    return [by_pk[pk] for pk in picked]


def count_use(campaign: Campaign, ids: Sequence[int]) -> None:
    CampaignUsage.objects.bulk_create(
        [CampaignUsage(campaign=campaign, question_id=i) for i in ids], ignore_conflicts=True
    )
    CampaignUsage.objects.filter(campaign=campaign, question_id__in=ids).update(uses=F("uses") + 1)
    Question.objects.filter(pk__in=ids).update(times_drawn=F("times_drawn") + 1)


def live_exam_question_ids() -> QuerySet[CampaignUsage, int]:
    """Questions drawn by an exam still open: kept out of daily practice until it closes."""
    return CampaignUsage.objects.filter(
        campaign__purpose=Campaign.Purpose.EXAM,
        campaign__status=Campaign.Status.PUBLISHED,
        campaign__ends_at__gt=timezone.now(),
    ).values_list("question_id", flat=True)


def option_order(question: Question, rng: random.Random) -> list[int]:
    """The order the options are shown in (判断 keeps 正确/错误; 填空 has none)."""
    assert question.current is not None
    order = list(range(len(question.current.options)))
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        rng.shuffle(order)
    return order
