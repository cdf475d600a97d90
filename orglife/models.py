"""组织生活闭环管理: rule sets, monthly plans, meeting records, patrols, rectifications, scores, interviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from orglife import defaults
from orglife.periods import HALF, MONTH, QUARTER, YEAR
from orgs.access import ScopedQuerySet, scope_q

if TYPE_CHECKING:
    pass


class MeetingType(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", "支部党员大会"
    COMMITTEE = "committee", "支委会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    ORG_LIFE = "org_life", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"
    TALKS = "talks", "谈心谈话"


class PeriodKind(models.TextChoices):
    MONTH_ = MONTH, "每月"
    QUARTER_ = QUARTER, "每季度"
    HALF_ = HALF, "每半年"
    YEAR_ = YEAR, "每年"


class RuleSet(models.Model):
    """One version of the county's organizational-life rules; a period uses the version in force for it.

    Versions are never edited: a change is a new row with a later effective month.
    """

    effective_from = models.DateField("生效月份", unique=True, help_text="该月1日起适用")
    document = models.CharField(
        "依据文件", max_length=200, help_text="如《中国共产党支部工作条例（试行）》或本地文件名称文号"
    )
    note = models.TextField("修订说明", blank=True)
    plan_deadline_day = models.PositiveSmallIntegerField(
        "月度计划报送截止日", default=defaults.PLAN_DEADLINE_DAY
    )
    theme_day_of_month = models.PositiveSmallIntegerField("主题党日固定日", null=True, blank=True)
    backfill_days = models.PositiveSmallIntegerField("补录时限（天）", default=defaults.BACKFILL_DAYS)
    reminder_days = models.CharField(
        "提醒日", max_length=40, default=defaults.REMINDER_DAYS, help_text="每月几日发送提醒，逗号分隔"
    )
    patrol_sample_size = models.PositiveIntegerField("巡查抽样数", default=defaults.PATROL_SAMPLE_SIZE)
    weight_completion = models.PositiveSmallIntegerField("完成率权重", default=defaults.WEIGHT_COMPLETION)
    weight_quality = models.PositiveSmallIntegerField("质量权重", default=defaults.WEIGHT_QUALITY)
    weight_rectification = models.PositiveSmallIntegerField("整改权重", default=defaults.WEIGHT_RECTIFICATION)
    lag_bottom_n = models.PositiveSmallIntegerField("落后名次（倒数N名）", default=defaults.LAG_BOTTOM_N)
    lag_threshold = models.DecimalField(
        "落后分数线", max_digits=5, decimal_places=2, default=defaults.LAG_THRESHOLD
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "组织生活规则版本"
        verbose_name_plural = "组织生活规则版本"

    def __str__(self) -> str:
        return f"{self.effective_from:%Y年%m月}起 · {self.document}"

    @property
    def reminder_day_list(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip().isdigit()})


class MeetingRule(models.Model):
    """What each branch owes of one meeting type per period (RULES.md OL-01…OL-13)."""

    class AppliesTo(models.TextChoices):
        ALL_BRANCHES = "all", "所有党支部"
        WITH_COMMITTEE = "with_committee", "设支委会的支部"
        PER_GROUP = "per_group", "每个党小组"

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    meeting_type = models.CharField("会议类型", max_length=24, choices=MeetingType.choices)
    period = models.CharField("周期", max_length=8, choices=PeriodKind.choices)
    min_count = models.PositiveSmallIntegerField("每周期至少次数", default=1)
    applies_to = models.CharField(
        "适用范围", max_length=16, choices=AppliesTo.choices, default=AppliesTo.ALL_BRANCHES
    )
    soft = models.BooleanField("一般性要求（未完成时提醒而非报错）", default=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        ordering = ["ruleset_id", "meeting_type"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "meeting_type"], name="meetingrule_unique")]

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()} {self.get_period_display()}{self.min_count}次"


class MonthlyPlan(models.Model):
    """A branch's plan for one month, filed by the deadline in the month before and reviewed above."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已通过"
        RETURNED = "returned", "已退回"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="plans", verbose_name="党支部"
    )
    month = models.DateField("计划月份")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    is_late = models.BooleanField("逾期报送", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "org_id"]
        verbose_name = "月度计划"
        verbose_name_plural = "月度计划"
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="monthlyplan_unique")]
        indexes = [models.Index(fields=["month", "status"], name="plan_month_status_idx")]

    def __str__(self) -> str:
        return f"{self.org} {self.month:%Y年%m月}计划"


class PlanItem(models.Model):
    plan = models.ForeignKey(MonthlyPlan, on_delete=models.CASCADE, related_name="items")
    meeting_type = models.CharField("会议类型", max_length=24, choices=MeetingType.choices)
    group = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="党小组",
    )
    required = models.BooleanField("提示单要求", default=False)
    planned_on = models.DateField("计划日期", null=True, blank=True)
    place = models.CharField("地点", max_length=120, blank=True)
    topic = models.CharField("主题/议题", max_length=200, blank=True)
    host_name = models.CharField("主持人", max_length=40, blank=True)
    lecturer_name = models.CharField("党课主讲人", max_length=40, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        ordering = ["plan_id", "planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()} {self.topic}"


class PlanEvent(models.Model):
    """History of a plan: submitted, approved, returned, edited."""

    plan = models.ForeignKey(MonthlyPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.action}"


class MeetingRecord(models.Model):
    """纪实: one meeting as held. Approved records are locked; later changes are amendments."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待书记审核"
        AWAITING_COMMITTEE = "awaiting_committee", "待上级审核（补录）"
        APPROVED = "approved", "已审核"
        RETURNED = "returned", "已退回"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="records", verbose_name="党支部"
    )
    group = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="党小组",
    )
    meeting_type = models.CharField("会议类型", max_length=24, choices=MeetingType.choices)
    plan_item = models.ForeignKey(
        PlanItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        verbose_name="对应计划",
    )
    month = models.DateField("所属月份", db_index=True)
    topic = models.CharField("主题", max_length=200)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=120)
    host_name = models.CharField("主持人", max_length=40)
    recorder_name = models.CharField("记录人", max_length=40)
    lecturer_name = models.CharField("党课主讲人", max_length=40, blank=True)
    agenda = models.TextField("议程", blank=True)
    content = models.TextField("会议内容")
    decisions = models.TextField("决议事项", blank=True)
    vote_subject = models.CharField("表决事项", max_length=200, blank=True)
    votes_yes = models.PositiveIntegerField("赞成", null=True, blank=True)
    votes_no = models.PositiveIntegerField("反对", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    eligible_voters = models.PositiveIntegerField("应到会有表决权党员", null=True, blank=True)
    present_voters = models.PositiveIntegerField("实到会有表决权党员", null=True, blank=True)
    # Quorum facts stored at submission (None where the rule does not apply): OL-03 and OL-04.
    quorum_met = models.BooleanField("达到法定人数", null=True, blank=True)
    vote_passed = models.BooleanField("表决通过", null=True, blank=True)
    committee_size = models.PositiveIntegerField("支委会委员数", null=True, blank=True)
    committee_present = models.PositiveIntegerField("到会委员数", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_backfill = models.BooleanField("补录", default=False)
    photo_reused = models.BooleanField("照片疑似重复使用", default=False)
    # Set when photos are stored, cleared by the check task (orglife.tasks.check_record_photos_task) once
    # every photo of the record is checked: until then "not reused" is not yet known.
    photos_pending = models.BooleanField("照片查重中", default=False)
    counts = models.BooleanField("计入完成情况", default=True, help_text="被要求重新召开的会议不再计入")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The submitting device's key for this record: the same form sent twice (a retry after a dropped
    # connection) is stored once.
    client_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "组织生活纪实"
        verbose_name_plural = "组织生活纪实"
        indexes = [
            models.Index(fields=["org", "month", "meeting_type"], name="record_org_month_type_idx"),
            models.Index(fields=["month", "status"], name="record_month_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="record_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["org", "client_key"], condition=~Q(client_key=""), name="record_client_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_meeting_type_display()} {self.started_at:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    PHOTO_CHECKS = {"pending": "照片查重中", "reused": "照片疑似重复", "clear": "未发现重复照片"}

    @property
    def photo_check(self) -> str:
        """Where the reused-photo check stands: pending (the task has photos to go), reused or clear."""
        if self.photos_pending:
            return "pending"
        return "reused" if self.photo_reused else "clear"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        ABSENT = "absent", "缺席"
        EXEMPT = "exempt", "免参"

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField("出席情况", max_length=8, choices=Status.choices)
    absence_reason = models.CharField("缺席原因", max_length=120, blank=True)

    class Meta:
        ordering = ["record_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["record", "member"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


def attachment_path(instance: RecordAttachment, filename: str) -> str:
    # Random stored names: the original name is kept in a column, never in the path.
    return f"orglife/{instance.stored_name}"


class RecordAttachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        FILE = "file", "附件"

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    stored_name = models.CharField(max_length=80, unique=True)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    phash = models.CharField("感知哈希", max_length=16, blank=True, db_index=True)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="疑似重复自"
    )
    # When the reuse detector finished with this photo (in the same transaction as its pairs and hashes):
    # a photo without it is still waiting for the check task or the backfill.
    checked_at = models.DateTimeField("查重时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class PhotoUpload(models.Model):
    """A photo sent in chunks (orglife.services.photo_uploads): a weak connection resends a chunk or the
    whole photo without harm. The chunks wait in storage until the last one arrives; completing stores
    the photo once through the records service, and a second completion answers the same attachment."""

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="photo_uploads")
    upload_id = models.CharField(max_length=64)  # made by the device, one per photo
    original_name = models.CharField(max_length=200)
    total = models.PositiveSmallIntegerField()  # how many chunks make the photo
    attachment = models.ForeignKey(
        RecordAttachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "upload_id"], name="photo_upload_unique"),
        ]

    def __str__(self) -> str:
        return self.original_name


class PhotoHash(models.Model):
    """One robust hash of a stored photo (orglife.photomatch.Kind says which view), split into four 16-bit
    bands for the look-up: each band has its own index carrying the hash and the photo (an index-only scan
    on PostgreSQL), so finding the candidates of an upload never reads the table."""

    attachment = models.ForeignKey(RecordAttachment, on_delete=models.CASCADE, related_name="hashes")
    kind = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()
    b0 = models.PositiveIntegerField()
    b1 = models.PositiveIntegerField()
    b2 = models.PositiveIntegerField()
    b3 = models.PositiveIntegerField()

    class Meta:
        ordering = ["attachment_id", "kind"]
        indexes = [
            models.Index(fields=[f"b{i}"], include=["value", "attachment"], name=f"photohash_b{i}_idx")
            for i in range(4)
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id}:{self.kind}"


class PhotoMatchQuerySet(ScopedQuerySet["PhotoMatch"]):
    """A pair is visible to whoever sees either record: the patrol of each side must see the pair."""

    def visible_to(self, user: Any, *, write: bool = False) -> PhotoMatchQuerySet:
        mine = scope_q(user, "record__org__path", write=write)
        theirs = scope_q(user, "other_record__org__path", write=write)
        if mine is None or theirs is None:
            return self
        return self.filter(mine | theirs)


class PhotoMatch(models.Model):
    """A pair of photos found alike: `photo` is the later upload, `other` the earlier one.

    复用 (reuse) marks both records for the patrol; 相似 (two shots of one meeting) is shown with lower
    priority and marks nothing. The secretary of the later record may explain (同一活动多次记录); the patrol
    accepts the explanation (the pair then no longer flags the records) or rejects it."""

    class Kind(models.TextChoices):
        REUSE = "reuse", "复用"
        SIMILAR = "similar", "相似"

    class Review(models.TextChoices):
        OPEN = "open", "待核查"
        EXPLAINED = "explained", "已说明待核查"
        ACCEPTED = "accepted", "说明已认可"
        REJECTED = "rejected", "说明不认可"

    photo = models.ForeignKey(RecordAttachment, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(RecordAttachment, on_delete=models.CASCADE, related_name="matched_by")
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="photo_matches")
    other_record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    score = models.PositiveSmallIntegerField("相似度")
    same_record = models.BooleanField("同一纪实内重复", default=False)
    review = models.CharField("核查", max_length=10, choices=Review.choices, default=Review.OPEN)
    explanation = models.CharField("情况说明", max_length=300, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoMatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "照片比对"
        verbose_name_plural = "照片比对"
        constraints = [models.UniqueConstraint(fields=["photo", "other"], name="photomatch_pair_unique")]
        indexes = [models.Index(fields=["kind", "review"], name="photomatch_kind_review_idx")]

    def __str__(self) -> str:
        return f"{self.photo_id}~{self.other_id} {self.kind}"

    @property
    def flags(self) -> bool:
        """Whether this pair marks its records: reuse not explained away."""
        return self.kind == self.Kind.REUSE and self.review != self.Review.ACCEPTED


class RecordEvent(models.Model):
    """History of a record: submitted, approved, returned, amended (with reason and changes)."""

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record} {self.action}"


class CompletionStat(models.Model):
    """Precomputed required/planned/held per branch, month and meeting type, for fast dashboards.

    Rebuilt from the source rows (orglife.services.stats.refresh_branch_month) whenever a plan or record of
    that branch and month changes, so late records keep it correct.
    """

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=252)
    month = models.DateField()
    meeting_type = models.CharField(max_length=24, choices=MeetingType.choices)
    required = models.PositiveIntegerField(default=0)
    planned = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    # Held meetings that count towards `required` (capped; for quarterly and longer rules, the whole period's).
    credited = models.PositiveIntegerField(default=0)
    unplanned = models.PositiveIntegerField(default=0)
    attendance_due = models.PositiveIntegerField(default=0)
    attendance_present = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["month", "org_path", "meeting_type"]
        constraints = [
            models.UniqueConstraint(fields=["org", "month", "meeting_type"], name="completionstat_unique")
        ]
        indexes = [models.Index(fields=["month", "org_path"], name="completion_month_path_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month} {self.meeting_type} {self.held}/{self.required}"


class CompletionRollup(models.Model):
    """CompletionStat summed over a node's subtree for one period (month, quarter or year) and meeting type.

    Kept incrementally by the stats service (orglife.services.rollups, called from refresh_branch_month and
    rebuild_stats): each changed branch adds its difference to every ancestor in the same transaction, so
    the completion pages read a handful of rows whatever the size of the tree. `meeting_type` "" is the
    node row: the branches with any stats in the period and the late plans of the period.
    `manage.py orglife_rollups --check` compares them with a full recomputation.
    """

    # Derived rows, rebuilt by the million: no per-row foreign-key trigger (Django's collector still
    # cascades a deletion) and no index of its own (the unique constraint starts with org).
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    kind = models.CharField(max_length=8)  # orglife.periods MONTH / QUARTER / YEAR
    start = models.DateField()
    meeting_type = models.CharField(max_length=24, blank=True)
    # Plain integers: an increment is applied as one statement and may pass through a negative sum.
    required = models.IntegerField(default=0)
    planned = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    credited = models.IntegerField(default=0)
    unplanned = models.IntegerField(default=0)
    attendance_due = models.IntegerField(default=0)
    attendance_present = models.IntegerField(default=0)
    branches = models.IntegerField(default=0)
    late_plans = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "start", "meeting_type"], name="completionrollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.start} {self.meeting_type or '*'}"


class PatrolCheck(models.Model):
    """One sampled record, rated by a patrol inspector."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", "优"
        GOOD = "good", "良"
        FAIR = "fair", "一般"
        POOR = "poor", "差"

    REASONS = ["内容空泛", "照片不符", "出勤不实", "记录不全", "程序不规范", "主题不明确", "照片重复使用"]

    month = models.DateField("抽查月份")
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="patrol_checks")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sampled_at = models.DateTimeField()
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    reasons = models.JSONField("问题", default=list, blank=True)
    comment = models.TextField("意见", blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    rehold_ordered = models.BooleanField("要求重新召开", default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "org_id", "id"]
        constraints = [models.UniqueConstraint(fields=["month", "record"], name="patrolcheck_unique")]

    def __str__(self) -> str:
        return f"{self.record} {self.get_rating_display()}"


class Rectification(models.Model):
    """整改: items with a deadline, tracked to closure with evidence."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        SUBMITTED = "submitted", "待验收"
        CLOSED = "closed", "已销号"

    class Source(models.TextChoices):
        PATROL = "patrol", "线上巡查"
        OBSERVER = "observer", "观察员"
        CHECK = "check", "专项检查"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="rectifications")
    record = models.ForeignKey(
        MeetingRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    patrol_check = models.ForeignKey(
        PatrolCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.PATROL)
    title = models.CharField("整改事项", max_length=200)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField("整改情况说明", blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_status_idx")]

    def __str__(self) -> str:
        return self.title


class RectificationItem(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="items")
    text = models.CharField("问题及要求", max_length=300)
    done = models.BooleanField("已完成", default=False)
    evidence = models.TextField("整改佐证", blank=True)

    class Meta:
        ordering = ["rectification_id", "id"]

    def __str__(self) -> str:
        return self.text


class MonthlyScore(models.Model):
    """月积分 of one 党(工)委 for one month; recomputing a month replaces its rows with the same values."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=252)
    month = models.DateField()
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    branches = models.PositiveIntegerField(default=0)
    completion_rate = models.DecimalField(max_digits=6, decimal_places=2)
    quality_score = models.DecimalField(max_digits=6, decimal_places=2)
    rectification_score = models.DecimalField(max_digits=6, decimal_places=2)
    total = models.DecimalField(max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField()
    lagging = models.BooleanField(default=False)
    consecutive_lag = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "rank"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="monthlyscore_unique")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.total}"


class Interview(models.Model):
    """约谈 of a lagging committee, escalating with consecutive lagging months."""

    class Level(models.TextChoices):
        ORGANIZATION_MEMBER = "organization_member", "约谈组织委员"
        DEPUTY_SECRETARY = "deputy_secretary", "约谈党委副书记"
        PRINCIPAL = "principal", "约谈主要负责人"

    class Status(models.TextChoices):
        PENDING = "pending", "待约谈"
        DONE = "done", "已约谈"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="interviews")
    month = models.DateField("落后月份")
    level = models.CharField("约谈层级", max_length=24, choices=Level.choices)
    consecutive_lag = models.PositiveSmallIntegerField("连续落后月数")
    requires_self_analysis = models.BooleanField("须在季度调度会上作剖析发言", default=False)
    due_on = models.DateField("约谈期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    interviewee_name = models.CharField("被约谈人", max_length=40, blank=True)
    held_on = models.DateField("约谈日期", null=True, blank=True)
    outcome = models.TextField("约谈情况", blank=True)
    attachment = models.FileField("附件", upload_to="orglife/interviews/", blank=True)
    created_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="interview_unique")]

    def __str__(self) -> str:
        return f"{self.org} {self.month:%Y年%m月} {self.get_level_display()}"
