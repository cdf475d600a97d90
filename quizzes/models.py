"""The question bank (versioned questions in a category tree), quiz campaigns, attempts and answers.

A Question is the lasting identity (its bank node, category, tags, difficulty, whether it is retired);
its text, options and answer live in QuestionVersion rows. Editing writes a new version; an AttemptItem
points at the version it showed, so a past attempt is always reviewed and re-scored as it was seen.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from orgs.access import ScopedQuerySet, scope_paths, scope_q
from orgs.models import Member, Organization, Position
from orgs.paths import PATH_STEP, subtree_q
from quizzes.roles import BANK_ROLES


class BankQuerySet(ScopedQuerySet[Any]):
    """Write: the bank roles (编辑 included) over the owning node. Read: any tree role over the owning node,
    or below it: a county's bank and campaigns are shared with every committee and branch under it."""

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        if write:
            q = scope_q(user, self.scope_field, wanted=BANK_ROLES)
            return self if q is None else self.filter(q)
        paths = scope_paths(user)
        if paths is None:
            return self
        above = {p[:i] for p in paths for i in range(PATH_STEP, len(p), PATH_STEP)}
        return self.filter(
            subtree_q(paths, self.scope_field) | Q(**{f"{self.scope_field}__in": sorted(above)})
        )


SHUFFLE_BITS = 62


def random_key() -> int:
    """A question's random place in the draw cycle (0 ≤ key < 2**62)."""
    return random.SystemRandom().getrandbits(SHUFFLE_BITS)


class Difficulty(models.IntegerChoices):
    EASY = 1, "易"
    MEDIUM = 2, "中"
    HARD = 3, "难"


class Category(models.Model):
    """A node of a bank's category tree (e.g. 党章 › 总纲), owned by an organization."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="quiz_categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField("名称", max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BankQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "parent_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "parent", "name"], name="quiz_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self) -> str:
        """The full name: 党章 › 总纲."""
        parts = [self.name]
        node = self.parent
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return " › ".join(reversed(parts))


class Tag(models.Model):
    name = models.CharField("标签", max_length=30, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question's lasting identity; what it says is its current QuestionVersion."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        JUDGE = "judge", "判断"
        FILL = "fill", "填空"

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="quiz_questions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    kind = models.CharField("题型", max_length=10, choices=Kind.choices)
    difficulty = models.PositiveSmallIntegerField(
        "难度", choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    current = models.ForeignKey(
        "QuestionVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The stem after normalizing punctuation and whitespace: duplicate detection on import.
    stem_key = models.CharField(max_length=64, db_index=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # How often the question was drawn, in any campaign (shown to the editor).
    times_drawn = models.PositiveIntegerField(default=0)
    # The question's place in the bank's one random cycle: a campaign's draws walk it from a cursor per
    # quota (DrawCursor), which is least-used-first without reading the usage of the whole pool.
    shuffle = models.BigIntegerField(default=random_key, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BankQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["difficulty", "shuffle"], name="quiz_q_shuffle_idx"),
            models.Index(fields=["category", "shuffle"], name="quiz_q_cat_shuffle_idx"),
        ]

    def __str__(self) -> str:
        return self.current.stem[:40] if self.current else f"题目 {self.pk}"

    @property
    def active(self) -> bool:
        return self.retired_at is None


class QuestionVersion(models.Model):
    """One wording of a question. Never changed once written: editing makes the next version.

    options: the choices' texts (判断: ["正确", "错误"]; 填空: []).
    answer: indexes of the correct options (单选/判断 one, 多选 two or more); 填空: accepted texts,
    one list of variants per blank.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stem = models.TextField("题干")
    options = models.JSONField(default=list)
    answer = models.JSONField(default=list)
    explanation = models.TextField("解析", blank=True)
    source = models.CharField("出处", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="quiz_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.stem[:30]}（第{self.number}版）"


class CampaignQuerySet(BankQuerySet):
    def for_member(self, member: Member, on: dt.date | None = None) -> Self:
        """Campaigns whose audience holds the member: the subtree holds the member's organization and,
        when the campaign names members, the member is named; when it names posts, the member holds one
        of them today (resolved now, as the learning assignments resolve theirs)."""
        path = member.org.path
        prefixes = [path[:i] for i in range(1, len(path) + 1)]
        qs = self.filter(org__path__in=prefixes)
        rows = qs.order_by()._with_audience(member).values_list("pk", "titles", "named_any", "named_me")
        out = _outside(member, on or timezone.localdate(), rows)
        return qs.exclude(pk__in=out) if out else qs

    def open_to_member(self, member: Member, now: dt.datetime) -> list[Campaign]:
        """The published campaigns open at `now` whose audience holds the member (as for_member), read once:
        the campaigns of the member's subtree with whether each names members and names this one."""
        path = member.org.path
        campaigns = list(
            self.filter(
                org__path__in=[path[:i] for i in range(1, len(path) + 1)],
                status=Campaign.Status.PUBLISHED,
                starts_at__lte=now,
                ends_at__gt=now,
            )._with_audience(member)
        )
        rows = [(c.pk, c.titles, c.named_any, c.named_me) for c in campaigns]  # type: ignore[attr-defined]
        out = set(_outside(member, timezone.localdate(), rows))
        return [c for c in campaigns if c.pk not in out]

    def _with_audience(self, member: Member) -> Self:
        """Whether each campaign names members and names this one (probed by index, never read whole)."""
        named = Campaign.members.through.objects.filter(campaign_id=OuterRef("pk"))
        return self.annotate(named_any=Exists(named), named_me=Exists(named.filter(member_id=member.pk)))


def _outside(member: Member, day: dt.date, rows: Iterable[tuple[int, list[str], bool, bool]]) -> list[int]:
    """The campaigns of `rows` (pk, titles, names members, names this one) whose audience leaves the member
    out: named members without them, or posts they do not hold on `day` (read only when a campaign asks)."""
    held: set[str] | None = None
    out = []
    for pk, wanted, named_any, named_me in rows:
        if named_any:
            if not named_me:
                out.append(pk)
        elif wanted:
            if held is None:
                held = set(
                    Position.objects.filter(member=member, started_on__lte=day)
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
                    .values_list("title", flat=True)
                )
            if not held & set(wanted):
                out.append(pk)
    return out


class Campaign(models.Model):
    """答题活动: a window, an audience (a subtree, narrowed to posts or to named members, as the learning
    assignments), a quota draw, a time limit and a pass mark."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "进行中"
        VOIDED = "voided", "已作废"

    class Purpose(models.TextChoices):
        EXAM = "exam", "考试"
        CONTEST = "contest", "竞赛/练习"

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="quiz_campaigns")
    title = models.CharField("活动名称", max_length=80)
    # The audience within the subtree: the holders of these posts (Position.Title values) today, or, when
    # members are named, exactly those members; neither: everyone under the node.
    titles = models.JSONField("限定职务", default=list, blank=True)
    members = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name="指定党员")
    purpose = models.CharField("性质", max_length=10, choices=Purpose.choices, default=Purpose.EXAM)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    # [{"category": id, "difficulty": 1|2|3|null, "count": n}, ...]; categories include their subtrees.
    quotas = models.JSONField(default=list)
    question_count = models.PositiveSmallIntegerField("每次题数")
    time_limit_minutes = models.PositiveSmallIntegerField("限时（分钟）")
    attempts_allowed = models.PositiveSmallIntegerField("可答次数", default=1)
    pass_mark = models.PositiveSmallIntegerField("及格分（百分制）", default=60)
    partial_multiple = models.BooleanField("多选题少选得部分分", default=False)
    review_after_close = models.BooleanField("活动结束后才显示答案解析", default=True)
    points_on_pass = models.BooleanField("通过后计学习积分", default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    void_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="quiz_campaign_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AttemptQuerySet(ScopedQuerySet["Attempt"]):
    scope_field = "member__org__path"

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        """Tree roles over the member's branch, and the member's own attempts."""
        q = scope_q(user, self.scope_field, write=write, own="member")
        return self if q is None else self.filter(q)


class Attempt(models.Model):
    """One member's try at a campaign (or one day's 每日一练 when campaign is empty)."""

    class Status(models.TextChoices):
        OPEN = "open", "答题中"
        SUBMITTED = "submitted", "已交卷"
        AUTO = "auto", "超时自动交卷"

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="quiz_attempts")
    practice_on = models.DateField(null=True, blank=True)
    number = models.PositiveSmallIntegerField(default=1)
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(null=True)
    refused_answers = models.PositiveIntegerField(default=0)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(status="open"),
                name="quiz_one_open_attempt",
            ),
            models.UniqueConstraint(fields=["campaign", "member", "number"], name="quiz_attempt_number"),
            models.UniqueConstraint(
                fields=["member", "practice_on"],
                condition=Q(campaign__isnull=True),
                name="quiz_one_practice_a_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="quiz_attempt_due_idx")]

    def __str__(self) -> str:
        return f"{self.member} 第{self.number}次"


class AttemptItem(models.Model):
    """One question as shown in an attempt: its pinned version, the option order, the answer given."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="attempt_items")
    # order[i] is the version's option index shown in place i.
    order = models.JSONField(default=list)
    # What the member chose: option indexes of the version (not of the shown order); 填空: texts.
    response = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    credit = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="quiz_item_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="quiz_item_no_repeat"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"


class CampaignUsage(models.Model):
    """How often a campaign has drawn a question: its draws take the least used first, so the bank is
    covered evenly; a live exam's rows keep its questions out of daily practice until it closes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="usage")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="campaign_usage")
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "question"], name="quiz_usage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.question_id}: {self.uses}"


class DrawCursor(models.Model):
    """Where a campaign's quota stands in the bank's random cycle (Question.shuffle): each draw takes the
    next questions after it, wrapping around, so every question of the pool is drawn once before any is
    drawn twice (least-used-first) in a few index reads, whatever the bank's size."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="cursors")
    quota = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()

    class Meta:
        ordering = ["campaign_id", "quota"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "quota"], name="quiz_cursor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.quota}@{self.position}"
