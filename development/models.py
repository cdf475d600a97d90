"""Member development (发展党员): the person in the pipeline with the dated evidence of each step, their
培养联系人 and 入党介绍人, half-yearly assessments, the 支部大会 votes, discipline (留党察看) of members,
and the history of steps."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

import personal
from orgs.access import ScopedQuerySet
from orgs.models import Member


class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    CANCELLED = "cancelled", "已终止"


OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


class PersonQuerySet(ScopedQuerySet["Person"]):
    def open(self) -> PersonQuerySet:
        return self.filter(stage__in=OPEN_STAGES)


class Person(models.Model):
    """One person in the pipeline, from the application to full membership (or cancellation)."""

    class Nomination(models.TextChoices):
        MEMBERS = "members", "党员推荐"
        YOUTH_LEAGUE = "youth_league", "团组织推优"
        MASS_ORG = "mass_org", "群团组织推优"

    class Gender(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="development", verbose_name="党支部"
    )
    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=20, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    education = models.CharField("学历", max_length=16, choices=Member.Education.choices, blank=True)
    occupation = models.CharField("工作岗位", max_length=60, blank=True)
    is_league_member = models.BooleanField("共青团员", default=False)
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, default=Stage.APPLICANT)

    applied_on = models.DateField("递交入党申请书日期")
    talked_on = models.DateField("谈话日期", null=True, blank=True)
    nomination = models.CharField("推荐方式", max_length=16, choices=Nomination.choices, blank=True)
    activist_on = models.DateField("确定为积极分子日期（支委会）", null=True, blank=True)
    # The latest half-yearly assessment's date (D-05), kept by add_assessment so the deadline query reads a
    # column rather than a subquery per person (bench/RESULTS.md, 发展党员).
    last_assessed_on = models.DateField("最近一次培养考察日期", null=True, blank=True, editable=False)
    activist_filed_on = models.DateField("积极分子报上级备案日期", null=True, blank=True)
    candidate_notice_on = models.DateField("发展对象公示开始", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期（支委会）", null=True, blank=True)
    candidate_filed_on = models.DateField("发展对象报上级备案日期", null=True, blank=True)
    review_on = models.DateField("政审日期", null=True, blank=True)
    review_conclusion = models.TextField("政审结论", blank=True)
    review_passed = models.BooleanField("政审合格", null=True, blank=True)
    training_until = models.DateField("集中培训结业日期", null=True, blank=True)
    training_days = models.DecimalField("培训天数", max_digits=4, decimal_places=1, null=True, blank=True)
    training_hours = models.DecimalField("培训学时", max_digits=5, decimal_places=1, null=True, blank=True)
    pre_review_on = models.DateField("上级党委预审日期", null=True, blank=True)
    form_issued_on = models.DateField("发放入党志愿书日期", null=True, blank=True)
    expected_leave_on = models.DateField("预计离开本单位日期", null=True, blank=True)
    probation_notice_on = models.DateField("拟接收预备党员公示开始", null=True, blank=True)
    resolution_on = models.DateField("支部大会通过接收决议日期", null=True, blank=True)
    party_talk_on = models.DateField("党委谈话日期", null=True, blank=True)
    approved_on = models.DateField("党委审批日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    extended_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    oath_on = models.DateField("入党宣誓日期", null=True, blank=True)
    conversion_resolution_on = models.DateField("转正等决议日期", null=True, blank=True)
    conversion_outcome = models.CharField("决议结果", max_length=12, blank=True)
    conversion_approved_on = models.DateField("转正等审批日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期（党龄起算）", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    member = models.OneToOneField(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development",
        verbose_name="党员名册记录",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "-applied_on", "id"]
        verbose_name = "发展对象档案"
        verbose_name_plural = "发展对象档案"
        indexes = [
            models.Index(fields=["org", "stage"], name="devperson_org_stage_idx"),
            models.Index(fields=["stage", "applied_on"], name="devperson_stage_applied_idx"),
            models.Index(fields=["name"], name="devperson_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_enc = personal.encrypt(value)
        self.id_number_hash = personal.blind_index("id", value)
        self.id_number_masked = personal.mask_id_number(value)

    def set_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.phone_enc = personal.encrypt(value)
        self.phone_masked = personal.mask_phone(value)

    @property
    def dues_from(self) -> dt.date | None:
        """D-20: a 预备党员 pays dues from the day the 支部大会 passed the resolution."""
        return self.resolution_on if self.approved_on else None

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class LinkQuerySet(ScopedQuerySet["Link"]):
    scope_field = "person__org__path"

    def current(self) -> LinkQuerySet:
        return self.filter(until__isnull=True)


class Link(models.Model):
    """A full member who is this person's 培养联系人 (D-05) or 入党介绍人 (D-07)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "培养联系人"
        SPONSOR = "sponsor", "入党介绍人"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    since = models.DateField("确定日期")
    until = models.DateField("更换日期", null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "kind", "since", "id"]
        verbose_name = "联系人/介绍人"
        verbose_name_plural = "联系人/介绍人"

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.member}"


class Assessment(models.Model):
    """The branch's half-yearly assessment of an activist (D-05)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    held_on = models.DateField("考察日期")
    summary = models.TextField("考察意见")

    class Meta:
        ordering = ["person_id", "held_on", "id"]
        verbose_name = "培养考察"
        verbose_name_plural = "培养考察"

    def __str__(self) -> str:
        return f"{self.person} {self.held_on}"


class Vote(models.Model):
    """One 支部大会 vote on one person (D-12: candidates are voted individually), held in a meeting
    recorded in organizational life; the quorum comes from that record's attendance."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", "接收预备党员"
        CONVERSION = "conversion", "预备党员转正"
        EXTENSION = "extension", "延长预备期"
        CANCEL = "cancel", "取消预备党员资格"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="votes")
    record = models.ForeignKey(
        "orglife.MeetingRecord", on_delete=models.PROTECT, related_name="+", verbose_name="支部党员大会纪实"
    )
    kind = models.CharField("表决事项", max_length=12, choices=Kind.choices)
    held_on = models.DateField("表决日期")
    eligible = models.PositiveIntegerField("应到会有表决权党员")
    present = models.PositiveIntegerField("实到会有表决权党员")
    written = models.PositiveIntegerField("书面意见（计入）", default=0)
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    passed = models.BooleanField("通过")
    extension_months = models.PositiveSmallIntegerField("延长月数", null=True, blank=True)

    class Meta:
        ordering = ["person_id", "held_on", "id"]
        verbose_name = "支部大会表决"
        verbose_name_plural = "支部大会表决"
        constraints = [
            models.UniqueConstraint(fields=["person", "record", "kind"], name="devvote_one_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.held_on}"


class Step(models.Model):
    """History of a person's file: each step as a dated row with who entered it (the timeline)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("事项", max_length=40)
    on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    backdate_reason = models.CharField("补录原因", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person_id", "on", "id"]
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"

    def __str__(self) -> str:
        return f"{self.person} {self.action} {self.on}"


class Reminder(models.Model):
    """One deadline put in one level's digest: the claim that makes each item go out exactly once per
    level (branch when due within 7 days or overdue; committee at 7 days overdue; department at 14)."""

    class Level(models.TextChoices):
        BRANCH = "branch", "党支部"
        COMMITTEE = "committee", "党(工)委"
        DEPARTMENT = "department", "组织部"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    rule = models.CharField("规则", max_length=8)
    due_on = models.DateField("期限")
    level = models.CharField("提醒层级", max_length=12, choices=Level.choices)
    sent_on = models.DateField("提醒日期")

    class Meta:
        ordering = ["person_id", "due_on", "level"]
        verbose_name = "到期提醒记录"
        verbose_name_plural = "到期提醒记录"
        constraints = [
            models.UniqueConstraint(fields=["person", "rule", "due_on", "level"], name="devreminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.rule} {self.due_on} {self.level}"


class DocumentQuerySet(ScopedQuerySet["Document"]):
    scope_field = "person__org__path"


class Document(models.Model):
    """A document of the person's dossier (档案材料), marked as held (on paper) and checked by whom."""

    class Kind(models.TextChoices):
        APPLICATION = "application", "入党申请书"
        TALK = "talk", "谈话记录"
        NOMINATION = "nomination", "推荐材料（党员推荐、群团推优）"
        ACTIVIST_FILING = "activist_filing", "确定入党积极分子备案材料"
        REPORTS = "reports", "思想汇报"
        ASSESSMENT = "assessment", "培养考察登记表"
        CANDIDATE_FILING = "candidate_filing", "确定发展对象备案材料"
        POLITICS = "politics", "政审材料"
        TRAINING = "training", "集中培训结业证明"
        PRE_REVIEW = "pre_review", "预审意见"
        FORM = "form", "入党志愿书"
        NOTICE = "notice", "公示材料"
        APPROVAL = "approval", "党委审批意见"
        CONVERSION = "conversion", "转正申请书"
        CONVERSION_APPROVAL = "conversion_approval", "转正审批意见"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("材料", max_length=24, choices=Kind.choices)
    on_paper = models.BooleanField("纸质存档", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by_name = models.CharField("核对人", max_length=150, blank=True)
    checked_at = models.DateTimeField("核对时间")
    # The uploaded scan (optional): stored under a random name, the original name kept in a column.
    file = models.FileField("扫描件", upload_to="development/", max_length=200, blank=True)
    original_name = models.CharField("文件名", max_length=200, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "kind"]
        verbose_name = "档案材料"
        verbose_name_plural = "档案材料"
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="devdocument_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


# The dossier checklist: the documents each stage's steps leave behind (FZ2014 档案材料).
DOSSIER: dict[str, tuple[str, ...]] = {
    Stage.APPLICANT: (Document.Kind.APPLICATION, Document.Kind.TALK),
    Stage.ACTIVIST: (
        Document.Kind.NOMINATION,
        Document.Kind.ACTIVIST_FILING,
        Document.Kind.REPORTS,
        Document.Kind.ASSESSMENT,
    ),
    Stage.CANDIDATE: (
        Document.Kind.CANDIDATE_FILING,
        Document.Kind.POLITICS,
        Document.Kind.TRAINING,
        Document.Kind.PRE_REVIEW,
        Document.Kind.FORM,
        Document.Kind.NOTICE,
    ),
    Stage.PROBATIONARY: (Document.Kind.APPROVAL, Document.Kind.CONVERSION, Document.Kind.CONVERSION_APPROVAL),
}


class QuotaQuerySet(ScopedQuerySet["Quota"]):
    def for_year(self, year: int) -> QuotaQuerySet:
        return self.filter(year=year)


class Quota(models.Model):
    """The annual development plan (发展党员名额) of a node, allocated by the 组织部: how many people its
    subtree may admit as 预备党员 in the year (counted by the 党委's approval date)."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="development_quotas",
        verbose_name="党组织",
    )
    year = models.PositiveSmallIntegerField("年度")
    planned = models.PositiveIntegerField("计划名额")
    note = models.CharField("说明", max_length=200, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["year", "org_id"]
        verbose_name = "发展党员名额"
        verbose_name_plural = "发展党员名额"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="devquota_one_per_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年 {self.planned}名"


class Notice(models.TextChoices):
    """The two 公示 of D-22: before the 发展对象 step and before the admission vote."""

    CANDIDATE = "candidate", "拟确定发展对象公示"
    PROBATION = "probation", "拟接收预备党员公示"


class NoticeObjectionQuerySet(ScopedQuerySet["NoticeObjection"]):
    scope_field = "person__org__path"

    def open(self) -> NoticeObjectionQuerySet:
        return self.filter(resolved_on__isnull=True)


class NoticeObjection(models.Model):
    """A 反映意见 received about a person during a 公示 (D-22): who took it and when, what it says, how
    it was looked into and the outcome. While one is open, the step the notice was for cannot be taken;
    an objection found to bar development keeps that step shut (the person's file is then ended)."""

    class Outcome(models.TextChoices):
        CLEARED = "cleared", "经核实不影响发展"
        UPHELD = "upheld", "经核实影响发展"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="objections")
    notice = models.CharField("公示", max_length=12, choices=Notice.choices)
    notice_on = models.DateField("公示开始日期")  # which notice: a new notice starts a new round
    received_on = models.DateField("受理日期")
    received_by = models.CharField("受理人", max_length=40)
    source = models.CharField("反映人", max_length=60, blank=True)  # may be anonymous
    content = models.TextField("反映内容")
    handling = models.TextField("调查处理情况", blank=True)
    outcome = models.CharField("处理结果", max_length=12, choices=Outcome.choices, blank=True)
    resolved_on = models.DateField("办结日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "received_on", "id"]
        verbose_name = "公示反映意见"
        verbose_name_plural = "公示反映意见"
        constraints = [
            models.CheckConstraint(
                condition=(Q(resolved_on__isnull=True) & Q(outcome=""))
                | (Q(resolved_on__isnull=False) & ~Q(outcome="")),
                name="devobjection_resolved_with_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_notice_display()} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None
