"""学时 accounts: the hours each member earns in a year, each linked to its source; 微党课; training records;
exemptions (L-07). Hours from organizational-life study meetings are not copied here: they are read from the
approved records' attendance (selectors.hours), so an amended record can never leave a stale copy behind."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgs.access import ScopedQuerySet

HOURS: dict[str, Any] = {"max_digits": 6, "decimal_places": 1}


class LessonQuerySet(ScopedQuerySet["Lesson"]):
    scope_field = "org__path"


class Lesson(models.Model):
    """A 微党课 given by a member of a branch (保靖 "一课一片一实践")."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="lessons", verbose_name="党组织"
    )
    speaker = models.ForeignKey(
        "orgs.Member", on_delete=models.PROTECT, related_name="lessons", verbose_name="授课人"
    )
    topic = models.CharField("题目", max_length=120)
    given_on = models.DateField("授课日期")
    minutes = models.PositiveSmallIntegerField("时长（分钟）")
    outline = models.TextField("提纲", blank=True)
    record = models.ForeignKey(
        "orglife.MeetingRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name="所在主题党日纪实",
    )
    # 课件 (PDF or PowerPoint, checked by content) stored under learning/slides/ with a random name, served only
    # through the lesson's scoped download; or the lesson's video, transcoded and served as a library video.
    slides_file = models.CharField(max_length=100, blank=True, default="")
    slides_name = models.CharField("课件文件名", max_length=200, blank=True, default="")
    slides_type = models.CharField(max_length=100, blank=True, default="")
    slides_size = models.PositiveIntegerField(default=0)
    video = models.ForeignKey(
        "learning.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name="授课视频",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = verbose_name_plural = "微党课"
        indexes = [models.Index(fields=["org", "given_on"], name="lesson_org_day_idx")]

    def __str__(self) -> str:
        return f"{self.given_on:%Y-%m-%d} {self.topic}"


class TrainingQuerySet(ScopedQuerySet["Training"]):
    scope_field = "org__path"


class Training(models.Model):
    """A concentrated training (集中培训) with its attendees' hours."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="trainings", verbose_name="组织单位"
    )
    name = models.CharField("培训名称", max_length=120)
    organizer = models.CharField("主办方", max_length=80)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", **HOURS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = verbose_name_plural = "集中培训"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="training_end_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StudyEntryQuerySet(ScopedQuerySet["StudyEntry"]):
    scope_field = "member__org__path"


class StudyEntry(models.Model):
    """One line of a member's 学时 account, linked to its source."""

    class Kind(models.TextChoices):
        LESSON = "lesson", "听微党课"
        TRAINING = "training", "集中培训"
        OFFLINE = "offline", "线下学习"

    member = models.ForeignKey(
        "orgs.Member", on_delete=models.CASCADE, related_name="study_entries", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    studied_on = models.DateField("日期")
    hours = models.DecimalField("学时", **HOURS)
    kind = models.CharField("来源", max_length=16, choices=Kind.choices)
    title = models.CharField("内容", max_length=120)
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-studied_on", "-pk"]
        verbose_name = verbose_name_plural = "学时记录"
        indexes = [models.Index(fields=["member", "year"], name="studyentry_member_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="studyentry_hours_positive"),
            models.UniqueConstraint(fields=["member", "lesson"], name="studyentry_one_per_lesson"),
            models.UniqueConstraint(fields=["member", "training"], name="studyentry_one_per_training"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.studied_on} {self.hours}"


class ExemptionQuerySet(ScopedQuerySet["Exemption"]):
    scope_field = "member__org__path"


class Exemption(models.Model):
    """L-07: an elderly, infirm or seriously ill member has no hard requirement that year (left out of the
    denominators)."""

    member = models.ForeignKey(
        "orgs.Member", on_delete=models.CASCADE, related_name="study_exemptions", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("原因", max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "member_id"]
        verbose_name = verbose_name_plural = "学时免除"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="exemption_one_per_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}"


def video_path(instance: Video, filename: str) -> str:
    return f"learning/videos/{instance.stored_name}"


def poster_path(instance: Video, filename: str) -> str:
    return f"learning/posters/{filename}"


class VideoQuerySet(ScopedQuerySet["Video"]):
    scope_field = "org__path"


class Video(models.Model):
    """An education video of the library (党员教育片库), published by a node for its subtree. An uploaded file is
    kept as it came (`original`, under learning/incoming/) until a task has transcoded it to H.264/AAC MP4
    (`file`) with a poster; only then is the video playable."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "处理中"
        READY = "ready", "可播放"
        FAILED = "failed", "处理失败"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="videos", verbose_name="发布单位"
    )
    title = models.CharField("片名", max_length=120)
    category = models.CharField("类别", max_length=40)
    tags = models.CharField("标签", max_length=120, blank=True)
    source = models.CharField("来源", max_length=120, blank=True)
    duration = models.PositiveIntegerField("时长（秒）")
    stored_name = models.CharField(max_length=64, blank=True)
    file = models.FileField("视频文件", upload_to=video_path, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    poster = models.FileField("封面", upload_to=poster_path, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.READY)
    percent = models.PositiveSmallIntegerField("转码进度", default=0)
    original = models.CharField("待转码文件", max_length=64, blank=True)
    failure = models.CharField("失败原因", max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "教育片"
        constraints = [models.CheckConstraint(condition=Q(duration__gt=0), name="video_duration_positive")]

    def __str__(self) -> str:
        return self.title

    @property
    def playable(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)


class AssignmentQuerySet(ScopedQuerySet["VideoAssignment"]):
    scope_field = "org__path"


class VideoAssignment(models.Model):
    """必看 or 选看: a video published to an audience (a subtree, narrowed to posts or to named members) by a
    due date. The audience is resolved when read, so a member who moves branch follows the campaign of
    their new branch."""

    class Kind(models.TextChoices):
        REQUIRED = "required", "必看"
        OPTIONAL = "optional", "选看"

    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="assignments", verbose_name="教育片"
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="范围"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.REQUIRED)
    titles = models.JSONField("限定职务", default=list, blank=True)
    members = models.ManyToManyField("orgs.Member", blank=True, related_name="+", verbose_name="指定党员")
    # 发展对象 are not yet members: resolved through orgs.stages (development answers), listed on their own.
    candidates = models.BooleanField("发展对象", default=False)
    due_on = models.DateField("截止日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "观看任务"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.video}"


class WatchQuerySet(ScopedQuerySet["WatchProgress"]):
    scope_field = "member__org__path"


class WatchProgress(models.Model):
    """A member's verified watching of one video: the video-time intervals credited by the server (merged, so
    watching a part twice counts once), the active stream and the last accepted heartbeat."""

    member = models.ForeignKey(
        "orgs.Member", on_delete=models.CASCADE, related_name="watching", verbose_name="党员"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="progress", verbose_name="教育片")
    intervals = models.JSONField(default=list)
    credited = models.FloatField("已认定观看（秒）", default=0)
    position = models.FloatField("播放位置（秒）", default=0)
    stream = models.CharField(max_length=40, blank=True)
    seq = models.PositiveIntegerField(default=0)
    last_beat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "观看进度"
        constraints = [models.UniqueConstraint(fields=["member", "video"], name="watch_one_per_member_video")]

    def __str__(self) -> str:
        return f"{self.member} {self.video} {self.credited:.0f}s"


class AnomalyQuerySet(ScopedQuerySet["WatchAnomaly"]):
    scope_field = "member__org__path"


class WatchAnomaly(models.Model):
    """A heartbeat that earned nothing for a reason an admin should see (forged, replayed, stale stream…)."""

    member = models.ForeignKey("orgs.Member", on_delete=models.CASCADE, related_name="+", verbose_name="党员")
    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="anomalies", verbose_name="教育片"
    )
    reason = models.CharField("原因", max_length=40)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnomalyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "观看异常"

    def __str__(self) -> str:
        return f"{self.member} {self.reason}"


class StudyBookQuerySet(ScopedQuerySet["StudyBook"]):
    scope_field = "org__path"


class StudyBook(models.Model):
    """一人一册 (乌海): study materials issued by a node to a group (its members, or the holders of some posts,
    e.g. every cadre of the department); issuing creates one personal study record per person."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="study_books", verbose_name="发放单位"
    )
    title = models.CharField("学习资料", max_length=120)
    description = models.TextField("学习要求", blank=True)
    issued_on = models.DateField("发放日期")
    titles = models.JSONField("限定职务", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyBookQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = verbose_name_plural = "一人一册"

    def __str__(self) -> str:
        return self.title


class StudyRecordQuerySet(ScopedQuerySet["StudyRecord"]):
    scope_field = "member__org__path"


class StudyRecord(models.Model):
    """One person's record of one issued book: their own study notes, checked by the department."""

    book = models.ForeignKey(
        StudyBook, on_delete=models.CASCADE, related_name="records", verbose_name="学习册"
    )
    member = models.ForeignKey(
        "orgs.Member", on_delete=models.CASCADE, related_name="study_records", verbose_name="党员"
    )
    notes = models.TextField("学习笔记", blank=True)
    notes_updated_at = models.DateTimeField("笔记更新时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["book_id", "member_id"]
        verbose_name = verbose_name_plural = "个人学习记录"
        constraints = [models.UniqueConstraint(fields=["book", "member"], name="studyrecord_one_per_member")]

    def __str__(self) -> str:
        return f"{self.book} {self.member}"


class StudyCheckQuerySet(ScopedQuerySet["StudyCheck"]):
    scope_field = "record__member__org__path"

    def live(self) -> StudyCheckQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class StudyCheck(models.Model):
    """A spot check (抽查) of one person's record on a date, with its result; a result that passes earns the
    configured points item (learning.defaults), withdrawn with the check."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    record = models.ForeignKey(
        StudyRecord, on_delete=models.CASCADE, related_name="checks", verbose_name="学习记录"
    )
    checked_on = models.DateField("抽查日期")
    result = models.CharField("结果", max_length=10, choices=Result.choices)
    remark = models.CharField("意见", max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = verbose_name_plural = "学习抽查"
        constraints = [
            models.UniqueConstraint(
                fields=["record", "checked_on"],
                condition=Q(withdrawn_at__isnull=True),
                name="studycheck_one_live_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.checked_on} {self.get_result_display()}"

    @property
    def passed(self) -> bool:
        return self.result in (self.Result.EXCELLENT, self.Result.PASS)


class Conversion(models.Model):
    """One version of the 学时 conversion table (RULES.md L-06); an activity is converted by the version in force
    on its date, so hours already earned never change when a new version is added.

    Versions are never edited: a change is a new row with a later effective date. The first one is the common
    local convention RULES names (full-time day 8, half-day lecture 4, branch study 1 an hour), loaded by a data
    migration; a county publishes its own from a date on.
    """

    effective_from = models.DateField("生效日期", unique=True, help_text="该日（含）起的学习按本版本折算")
    hours_per_day = models.DecimalField(
        "全天培训折合学时", max_digits=4, decimal_places=1, help_text="全天集中培训每天折合的学时"
    )
    hours_per_half_day = models.DecimalField(
        "半天讲座折合学时", max_digits=4, decimal_places=1, help_text="半天讲座、报告折合的学时"
    )
    study_hours_per_hour = models.DecimalField(
        "集中学习每小时折合学时",
        max_digits=4,
        decimal_places=2,
        help_text="支部集中学习（党课、主题党日、微党课）每小时折合的学时",
    )
    document = models.CharField("依据", max_length=200, help_text="本地文件名称及文号，或所依据的通行做法")
    note = models.TextField("修订说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = verbose_name_plural = "学时折算标准"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0, hours_per_half_day__gt=0, study_hours_per_hour__gt=0),
                name="conversion_values_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d}起 · {self.document}"
