"""组织生活观察员制度 (太湖): selection with a joint review, roster, half-year assignments, observations,
the quality evaluation form, and the annual assessment with its allowance."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.access import ScopedQuerySet


class CommitteeScopedQuerySet(ScopedQuerySet):
    """Rows scoped through the 党(工)委 (`committee`) or branch they belong to."""

    scope_field = "committee__path"


class BranchScopedQuerySet(CommitteeScopedQuerySet):
    scope_field = "branch__path"


class ReviewUnit(models.Model):
    """A unit of the joint review group (联合审查组): 纪检, 政法, 公检法, 信访 … (configurable)."""

    name = models.CharField("单位", max_length=60, unique=True)
    is_active = models.BooleanField("参加审查", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "联合审查单位"
        verbose_name_plural = "联合审查单位"

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """An observer candidate, through 组织推荐, 个人自荐 or 双向选择; vetoed by any review objection."""

    class Source(models.TextChoices):
        RECOMMENDED = "recommended", "组织推荐"
        SELF = "self", "个人自荐"
        MUTUAL = "mutual", "双向选择"

    class Status(models.TextChoices):
        REVIEWING = "reviewing", "审查中"
        REJECTED = "rejected", "未通过"
        APPOINTED = "appointed", "已聘任"

    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    committee = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属党(工)委"
    )
    source = models.CharField("产生方式", max_length=12, choices=Source.choices)
    party_work_years = models.DecimalField("党务工作年限", max_digits=4, decimal_places=1)
    background = models.TextField("简历及党务工作经历", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REVIEWING)
    rejection_reason = models.TextField("未通过原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "观察员人选"
        verbose_name_plural = "观察员人选"

    def __str__(self) -> str:
        return f"{self.member} ({self.get_status_display()})"


class ReviewOpinion(models.Model):
    class Opinion(models.TextChoices):
        AGREE = "agree", "无异议"
        OBJECT = "object", "有异议"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="opinions")
    unit = models.ForeignKey(ReviewUnit, on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField("意见", max_length=8, choices=Opinion.choices)
    note = models.TextField("说明", blank=True)
    reviewer_name = models.CharField("审查人", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["candidate_id", "unit__order"]
        constraints = [models.UniqueConstraint(fields=["candidate", "unit"], name="reviewopinion_unique")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_opinion_display()}"


class Observer(models.Model):
    """An appointed observer (组织生活观察员), on the roster (信息台账) under dynamic management."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在岗"
        SUSPENDED = "suspended", "暂停"
        RETIRED = "retired", "退出"

    member = models.OneToOneField("orgs.Member", on_delete=models.PROTECT, related_name="observer")
    committee = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="observers", verbose_name="所属党(工)委"
    )
    candidate = models.OneToOneField(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="observer"
    )
    letter_number = models.CharField("聘书编号", max_length=40, unique=True)
    card_number = models.CharField("工作证编号", max_length=40, unique=True)
    appointed_on = models.DateField("聘任日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_note = models.CharField("状态说明", max_length=200, blank=True)
    updated_year = models.PositiveSmallIntegerField("台账年度更新", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["committee_id", "letter_number"]
        verbose_name = "观察员"
        verbose_name_plural = "观察员"

    def __str__(self) -> str:
        return str(self.member)


class Training(models.Model):
    """A training attended; the rule is at least one a year (每年至少组织一次专题培训)."""

    observer = models.ForeignKey(Observer, on_delete=models.CASCADE, related_name="trainings")
    held_on = models.DateField("培训日期")
    title = models.CharField("培训内容", max_length=200)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, default=0)

    class Meta:
        ordering = ["observer_id", "-held_on"]

    def __str__(self) -> str:
        return self.title


class AssignmentPlan(models.Model):
    """Assignments of observers to branches for one half-year, proposed by the planner, confirmed by an admin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    committee = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="范围（党委或全县）"
    )
    half_start = models.DateField("半年起始月")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    seed = models.PositiveIntegerField(default=0)
    cross_pairs = models.JSONField("交叉观察配对", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-half_start", "committee_id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "half_start"], name="assignmentplan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.half_start:%Y-%m} 起半年"


class Assignment(models.Model):
    plan = models.ForeignKey(AssignmentPlan, on_delete=models.CASCADE, related_name="assignments")
    observer = models.ForeignKey(Observer, on_delete=models.PROTECT, related_name="assignments")
    branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部"
    )
    is_cross = models.BooleanField("交叉观察", default=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "observer_id", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "branch", "observer"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.observer} → {self.branch}"


class EvaluationItem(models.Model):
    """One scored item of the 《党内组织生活观察质量评价表》 (configurable)."""

    name = models.CharField("评价项目", max_length=120)
    guidance = models.CharField("评分要点", max_length=300, blank=True)
    max_score = models.PositiveSmallIntegerField("分值")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """An observer attending a branch meeting, and the evaluation form filled for it."""

    class Kind(models.TextChoices):
        DEMONSTRATION = "demonstration", "示范观察"
        CENTRALIZED = "centralized", "集中观察"
        DESIGNATED = "designated", "指定观察"
        KEY = "key", "重点观察"
        RANDOM = "random", "随机观察"
        CROSS = "cross", "交叉观察"

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", "已报名"
        SUBMITTED = "submitted", "已评价"
        CANCELLED = "cancelled", "已取消"

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "好"
        GOOD = "good", "较好"
        FAIR = "fair", "一般"
        POOR = "poor", "差"

    class Finding(models.TextChoices):
        NONE = "none", "无问题"
        REMINDER = "reminder", "现场提醒"
        CORRECTION = "correction", "责令纠正"
        REHOLD = "rehold", "要求重新召开"

    observer = models.ForeignKey(Observer, on_delete=models.PROTECT, related_name="observations")
    branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部"
    )
    plan_item = models.ForeignKey(
        "orglife.PlanItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="计划会议",
    )
    record = models.ForeignKey(
        "orglife.MeetingRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    kind = models.CharField("观察方式", max_length=16, choices=Kind.choices)
    meeting_type = models.CharField("会议类型", max_length=24, blank=True)
    observed_on = models.DateField("列席日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SIGNED_UP)
    scores = models.JSONField("评分", default=dict, blank=True)
    total = models.PositiveSmallIntegerField("总分", null=True, blank=True)
    grade = models.CharField("总体评价", max_length=12, choices=Grade.choices, blank=True)
    problems = models.TextField("发现的问题", blank=True)
    finding = models.CharField("处理方式", max_length=12, choices=Finding.choices, default=Finding.NONE)
    finding_note = models.TextField("处理情况", blank=True)
    rectification = models.ForeignKey(
        "orglife.Rectification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-id"]
        indexes = [models.Index(fields=["branch", "observed_on"], name="observation_branch_day_idx")]

    def __str__(self) -> str:
        return f"{self.observer} @ {self.branch} {self.observed_on}"


class BranchRating(models.Model):
    """A branch's rating of the observer who attended it (part of the annual assessment's evidence)."""

    observation = models.OneToOneField(Observation, on_delete=models.CASCADE, related_name="branch_rating")
    score = models.PositiveSmallIntegerField("评价（1-5）")
    comment = models.CharField("意见", max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.score}"


class AnnualAssessment(models.Model):
    """年度考核 by the 党(工)委: 优秀 / 称职 / 不称职, with its evidence and the allowance (以奖代补)."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        COMPETENT = "competent", "称职"
        INCOMPETENT = "incompetent", "不称职"

    observer = models.ForeignKey(Observer, on_delete=models.PROTECT, related_name="assessments")
    committee = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("等次", max_length=12, choices=Grade.choices)
    evidence = models.JSONField("考核依据", default=dict)
    allowance = models.DecimalField("工作津贴（元）", max_digits=8, decimal_places=2, default=0)
    commended = models.BooleanField("优先推荐评优", default=False)
    note = models.TextField("考核意见", blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField()

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "committee_id", "observer_id"]
        constraints = [models.UniqueConstraint(fields=["observer", "year"], name="assessment_unique")]

    def __str__(self) -> str:
        return f"{self.observer} {self.year} {self.get_grade_display()}"
