"""Drawing questions for an attempt: quotas per category (with its subtree) and difficulty, the least used
in the campaign first, no repeats, options shuffled; all from a stored seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from orgs.models import Organization
from quizzes.models import (
    SHUFFLE_BITS,
    Campaign,
    CampaignUsage,
    Category,
    Difficulty,
    DrawCursor,
    Question,
    QuestionVersion,
)

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


def _bank_prefixes(org: Organization) -> tuple[str, list[str]]:
    """`bank_q` for the cursor: the placeholders and paths of the node and its ancestors."""
    prefixes = [org.path[:i] for i in range(1, len(org.path) + 1)]
    return ",".join(["%s"] * len(prefixes)), prefixes


def _marks(values: Sequence[Any]) -> str:
    return ",".join(["%s"] * len(values))


class Drawn(NamedTuple):
    """One drawn question as the attempt needs it: the version shown is pinned by its id, and the option
    order is shuffled from the kind and the number of options (no model instance is built)."""

    question_id: int
    version_id: int
    kind: str
    options: int

    @classmethod
    def of(cls, question: Question) -> Drawn:
        assert question.current is not None
        return cls(question.pk, question.current.pk, question.kind, len(question.current.options))


def _json_length() -> str:
    return "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"


def draw(campaign: Campaign, rng: random.Random) -> list[Drawn]:
    """The attempt's questions, quota by quota: least used in the campaign first, no repeats.

    Every question has a random place in one cycle of the bank (Question.shuffle); each quota of the
    campaign keeps a cursor in that cycle (DrawCursor, started at a place the first attempt's seed picks)
    and takes the next questions of its pool after it, wrapping around. So a pool is drawn through once
    before any question is drawn again — least used first, counts never more than one apart within a
    quota — in a few index reads whatever the bank's size, instead of reading the whole pool's usage.
    (A question added mid-cycle is met when the cursor passes its place.) Usage is still counted per
    campaign (daily practice keeps a live exam's questions out; the editor sees times drawn). The caller
    holds the transaction; the draw holds the campaign's draw lock to its end.

    Every member's start runs this, so it is written for the cursor and returns plain rows: one statement
    for the bank's categories and the campaign's cursors, one per quota (the pool after the cursor and, for
    the wrap, from the cycle's start, in one UNION ALL, joined to the current version for its id and its
    number of options), one for the cursors, two for the usage. The ORM's compilation of the same
    statements, and building the questions with their versions, cost many times what the database spent."""
    lock_draws(campaign)
    quotas = parse_quotas(campaign.quotas)
    cursor_table, question_table = DrawCursor._meta.db_table, Question._meta.db_table
    version_table = QuestionVersion._meta.db_table
    marks, prefixes = _bank_prefixes(campaign.org)
    bank = f"org_id IN (SELECT id FROM {Organization._meta.db_table} WHERE path IN ({marks}))"
    length = _json_length()
    picked: list[Drawn] = []
    positions: dict[int, int] = {}
    with connection.cursor() as cursor:
        # The bank's category tree and the campaign's cursors in one round trip.
        cursor.execute(
            f"SELECT 0, c.id, c.parent_id FROM {Category._meta.db_table} c"
            f" JOIN {Organization._meta.db_table} o ON o.id = c.org_id WHERE o.path IN ({marks})"
            f" UNION ALL SELECT 1, quota, position FROM {cursor_table} WHERE campaign_id = %s",
            [*prefixes, campaign.pk],
        )
        children: dict[int | None, list[int]] = {}
        known: dict[int, int] = {}
        for part, a, b in cursor.fetchall():
            if part:
                known[a] = b
            else:
                children.setdefault(b, []).append(a)
        for index, quota in enumerate(quotas):
            position = known.get(index)
            if position is None:
                position = rng.getrandbits(SHUFFLE_BITS)
            categories = sorted(_descendants(children, quota.category))
            where = (
                f"{bank} AND category_id IN ({_marks(categories)})"
                " AND retired_at IS NULL AND current_id IS NOT NULL"
            )
            params: list[Any] = [*prefixes, *categories]
            if quota.difficulty:
                where += " AND difficulty = %s"
                params.append(quota.difficulty)
            if picked:
                where += f" AND id NOT IN ({_marks(picked)})"
                params += [d.question_id for d in picked]
            ahead, behind = (
                f"SELECT id, shuffle, kind, current_id FROM {question_table} WHERE {where} AND shuffle {op} %s"
                " ORDER BY shuffle LIMIT %s"
                for op in (">", "<=")
            )
            cursor.execute(
                f"SELECT d.part, d.id, d.shuffle, d.kind, d.current_id, {length}(v.options) FROM"
                f" (SELECT 0 AS part, id, shuffle, kind, current_id FROM ({ahead}) ahead"
                f" UNION ALL SELECT 1, id, shuffle, kind, current_id FROM ({behind}) behind) d"
                f" JOIN {version_table} v ON v.id = d.current_id",
                [*params, position, quota.count, *params, position, quota.count],
            )
            # After the cursor first, then (the wrap) from the start of the cycle.
            rows = sorted(cursor.fetchall(), key=lambda r: (r[0], r[2]))[: quota.count]
            if len(rows) < quota.count:
                raise ValidationError("题库中可用题目不足，请联系活动管理员")
            positions[index] = rows[-1][2]
            picked.extend(Drawn(pk, version, kind, options or 0) for _, pk, _, kind, version, options in rows)
        cursor.execute(
            f"INSERT INTO {cursor_table} (campaign_id, quota, position) VALUES"
            f" {', '.join(['(%s, %s, %s)'] * len(positions))}"
            " ON CONFLICT (campaign_id, quota) DO UPDATE SET position = excluded.position",
            [v for index, position in positions.items() for v in (campaign.pk, index, position)],
        )
    count_use(campaign, [d.question_id for d in picked])
    return picked


def _descendants(children: dict[int | None, list[int]], root: int) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, ()) if c not in found]
        found.update(frontier)
    return found


def count_use(campaign: Campaign, ids: Sequence[int]) -> None:
    usage = CampaignUsage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {usage} (campaign_id, question_id, uses) VALUES {', '.join(['(%s, %s, 1)'] * len(ids))}"
            f" ON CONFLICT (campaign_id, question_id) DO UPDATE SET uses = {usage}.uses + 1",
            [v for i in ids for v in (campaign.pk, i)],
        )
        cursor.execute(
            f"UPDATE {Question._meta.db_table} SET times_drawn = times_drawn + 1 WHERE id IN ({_marks(ids)})",
            list(ids),
        )


def live_exam_question_ids() -> QuerySet[CampaignUsage, int]:
    """Questions drawn by an exam still open: kept out of daily practice until it closes."""
    return CampaignUsage.objects.filter(
        campaign__purpose=Campaign.Purpose.EXAM,
        campaign__status=Campaign.Status.PUBLISHED,
        campaign__ends_at__gt=timezone.now(),
    ).values_list("question_id", flat=True)


def option_order(drawn: Drawn, rng: random.Random) -> list[int]:
    """The order the options are shown in (判断 keeps 正确/错误; 填空 has none)."""
    order = list(range(drawn.options))
    if drawn.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        rng.shuffle(order)
    return order
