"""The learning-points ledger (学习积分制, 宿松): a versioned rule catalogue, declarations, an append-only
ledger whose sums are the balances, quarterly reviews, monthly notices with objections, interviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from orgs.access import ScopedQuerySet, own_member_id, scope_paths, scope_q
from orgs.models import Member, Organization
from orgs.paths import PATH_STEP, subtree_q
from points import defaults, roles

if TYPE_CHECKING:
    from accounts.models import User

POINTS: dict[str, Any] = {"max_digits": 7, "decimal_places": 1}


QS = TypeVar("QS", bound=models.QuerySet[Any])


def _filter(qs: QS, q: Q | None) -> QS:
    """Apply an orgs.access.scope_q filter (None: every row)."""
    return qs if q is None else qs.filter(q)


def _self_and_ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def _own_org_path(user: User) -> str | None:
    """The organization path of the user's own member (None for staff-only accounts)."""
    own = own_member_id(user)
    return Member.objects.filter(pk=own).values_list("org__path", flat=True).first() if own else None


# ---------------------------------------------------------------- the catalogue


class CatalogueQuerySet(models.QuerySet["Catalogue"]):
    def visible_to(self, user: User, *, write: bool = False) -> CatalogueQuerySet:
        """Readers see catalogues that apply to their subtree (set above it) or lie inside it."""
        if write:
            return _filter(self, scope_q(user, "org__path", wanted=roles.CATALOGUE_ROLES))
        paths = scope_paths(user)
        if paths is None:
            return self
        own_path = _own_org_path(user)
        if own_path is not None:
            paths = [*paths, own_path]
        q = subtree_q(paths, "org__path")
        for p in paths:
            q |= Q(org__path__in=_self_and_ancestors(p))
        return self.filter(q)

    def for_org(self, org: Organization) -> Catalogue | None:
        """The catalogue in force for an organization: the one set on its nearest ancestor."""
        return self.for_orgs(org).first()

    def for_orgs(self, org: Organization) -> CatalogueQuerySet:
        """Catalogues set on the organization or its ancestors, the one in force (the nearest) first."""
        return self.filter(org__path__in=_self_and_ancestors(org.path)).order_by("-org__depth", "pk")


class Catalogue(models.Model):
    """A county's (or department's) points scheme, e.g. 《部机关党员积分制管理考评办法》; applies to a subtree."""

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="point_catalogues", verbose_name="适用组织"
    )
    name = models.CharField("名称", max_length=120)
    document = models.CharField(
        "依据文件", max_length=200, help_text="本地制度文件名称，如《…党员积分制管理考评办法》"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["org__path", "pk"]
        verbose_name = "积分办法"
        verbose_name_plural = "积分办法"

    def __str__(self) -> str:
        return self.name

    def version_on(self, day: dt.date) -> RuleVersion | None:
        """The published version in force on `day` (latest effective_from not after it)."""
        return (
            self.versions.filter(status=RuleVersion.Status.PUBLISHED, effective_from__lte=day)
            .order_by("-effective_from", "-number")
            .first()
        )


class RuleVersionQuerySet(models.QuerySet["RuleVersion"]):
    def visible_to(self, user: User, *, write: bool = False) -> RuleVersionQuerySet:
        return self.filter(catalogue__in=Catalogue.objects.visible_to(user, write=write))


class RuleVersion(models.Model):
    """One immutable edition of a catalogue once published; entries are scored under the one in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="versions", verbose_name="积分办法"
    )
    number = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField("修订说明", max_length=200, blank=True)
    pass_mark = models.DecimalField(
        "年度合格分",
        default=defaults.PASS_MARK,
        **POINTS,
        help_text="年度积分低于此分的党员列入约谈名单，取消当年评优评先资格",
    )
    objection_days = models.PositiveSmallIntegerField("公示期（天）", default=7)
    commendation_top = models.PositiveSmallIntegerField("表扬名单：积分前几名", default=10)
    notice_auto_publish = models.BooleanField(
        "月度公示自动发布",
        default=False,
        help_text="每月1日系统为各支部和部门生成上月积分公示草稿；勾选后直接发布并开始公示期，否则由管理员核对后发布",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = RuleVersionQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue_id", "-number"]
        verbose_name = "积分办法版本"
        verbose_name_plural = "积分办法版本"
        constraints = [models.UniqueConstraint(fields=["catalogue", "number"], name="points_version_unique")]

    def __str__(self) -> str:
        return f"{self.catalogue} 第{self.number}版（{self.effective_from:%Y-%m-%d}起）"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Block(models.Model):
    """A board of the scheme with its yearly cap: 基础分 50, 任务分 30, 奖励分 20."""

    version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="blocks", verbose_name="版本"
    )
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("板块", max_length=40)
    cap = models.DecimalField("年度上限", **POINTS)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["version_id", "order", "pk"]
        verbose_name = "积分板块"
        verbose_name_plural = "积分板块"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="points_block_unique")]

    def __str__(self) -> str:
        return f"{self.name}（上限{self.cap}分）"


class PointRuleQuerySet(models.QuerySet["PointRule"]):
    def visible_to(self, user: User, *, write: bool = False) -> PointRuleQuerySet:
        return self.filter(version__catalogue__in=Catalogue.objects.visible_to(user, write=write))


class PointRule(models.Model):
    """One scoring item of a version: points per occurrence, evidence, optional period caps, active dates."""

    class Evidence(models.TextChoices):
        NONE = "none", "无需佐证"
        TEXT = "text", "文字说明"
        PHOTO = "photo", "照片"
        FILE = "file", "附件"
        LINK = "link", "关联记录/链接"

    version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="rules", verbose_name="版本"
    )
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="rules", verbose_name="板块")
    code = models.SlugField("代码", max_length=40, help_text="跨版本不变，用于上限统计和自动记分")
    name = models.CharField("积分项目", max_length=80)
    points = models.DecimalField("每次分值", **POINTS)
    evidence = models.CharField("佐证要求", max_length=8, choices=Evidence.choices, default=Evidence.TEXT)
    week_cap = models.DecimalField("每周上限", null=True, blank=True, **POINTS)
    month_cap = models.DecimalField("每月上限", null=True, blank=True, **POINTS)
    year_cap = models.DecimalField("每年上限", null=True, blank=True, **POINTS)
    active_from = models.DateField("启用日期", null=True, blank=True)
    active_to = models.DateField("停用日期", null=True, blank=True)
    declarable = models.BooleanField("党员可申报", default=True)
    automatic = models.BooleanField(
        "系统自动记分", default=False, help_text="如组织生活出勤、答题、观看必看视频"
    )
    commendable = models.BooleanField("列入表扬名单", default=False, help_text="如在重要刊物发表文章")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "block__order", "order", "pk"]
        verbose_name = "积分项目"
        verbose_name_plural = "积分项目"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="points_rule_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分/次）"

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )

    @property
    def caps_text(self) -> str:
        parts = [
            f"{label}{cap}分"
            for label, cap in (("每周", self.week_cap), ("每月", self.month_cap), ("每年", self.year_cap))
            if cap is not None
        ]
        return "，".join(parts)


# ---------------------------------------------------------------- declarations


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def visible_to(self, user: User, *, write: bool = False) -> DeclarationQuerySet:
        """Read: the subtree or one's own. Write: a recorder's subtree, or one's own (to resubmit)."""
        if write:
            return _filter(self, scope_q(user, "org__path", wanted=roles.RECORD_ROLES, own="member_id"))
        return _filter(self, scope_q(user, "org__path", own="member_id"))

    def pending(self) -> DeclarationQuerySet:
        return self.filter(status__in=[Declaration.Status.DECLARED, Declaration.Status.RECORDED])


class Declaration(models.Model):
    """个人申报 → 计分员记录 → 党支部审核: one occurrence claimed for points, and where it stands."""

    class Status(models.TextChoices):
        DECLARED = "declared", "待计分员审核"
        RECORDED = "recorded", "已记录，待支部审定"
        REJECTED = "rejected", "已退回"
        CONFIRMED = "confirmed", "支部已审定"
        WITHDRAWN = "withdrawn", "已撤回"

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="point_declarations", verbose_name="党员"
    )
    org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在党组织",
        help_text="申报时党员所在支部，由该支部审定",
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="declarations", verbose_name="积分项目"
    )
    occurred_on = models.DateField("发生日期")
    description = models.TextField("情况说明", blank=True)
    evidence_link = models.CharField("关联记录/链接", max_length=300, blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="points/evidence/%Y/%m/", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DECLARED, db_index=True
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申报人"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="计分员",
    )
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    reject_reason = models.CharField("退回原因", max_length=200, blank=True)
    submissions = models.PositiveSmallIntegerField("提交次数", default=1)
    # The declaring device's key for this declaration: the same one sent twice is stored once.
    client_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = "积分申报"
        verbose_name_plural = "积分申报"
        indexes = [
            models.Index(fields=["org", "status", "occurred_on"], name="points_decl_queue_idx"),
            models.Index(fields=["member", "occurred_on"], name="points_decl_member_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["declared_by", "client_key"],
                condition=~models.Q(client_key=""),
                name="points_decl_client_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.rule.name} {self.occurred_on:%Y-%m-%d}"


class DeclarationEvent(models.Model):
    """History of a declaration as rows: declared, recorded, rejected, resubmitted, confirmed."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_id", "pk"]
        verbose_name = "申报记录"
        verbose_name_plural = "申报记录"

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.action}"


# ---------------------------------------------------------------- the ledger


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def visible_to(self, user: User, *, write: bool = False) -> LedgerEntryQuerySet:
        if write:
            return _filter(self, scope_q(user, "org__path", wanted=roles.RECORD_ROLES))
        return _filter(self, scope_q(user, "org__path", own="member_id"))

    def in_year(self, year: int) -> LedgerEntryQuerySet:
        return self.filter(occurred_on__gte=dt.date(year, 1, 1), occurred_on__lte=dt.date(year, 12, 31))

    def live(self) -> LedgerEntryQuerySet:
        """Entries that are neither reversals nor reversed."""
        return self.filter(reverses__isnull=True, reversed_by__isnull=True)


class LedgerEntry(models.Model):
    """One append-only line of a member's points. A balance is a sum; a correction is a reversing entry."""

    class Source(models.TextChoices):
        DECLARATION = "declaration", "个人申报"
        ORGLIFE = "orglife.attendance", "组织生活出勤"
        QUIZ = "quiz.pass", "答题通过"
        VIDEO = "learning.video", "观看必看视频"
        LESSON = "learning_lesson", "讲授微党课"
        STUDY_CHECK = "learning_study_check", "一人一册抽查"
        BULLETIN = "bulletin.adopted", "信息被采用"
        CORRECTION = "correction", "更正"
        DEMO = "demo", "演示数据"

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="point_entries", verbose_name="党员"
    )
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="所在党组织"
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="entries", verbose_name="积分项目"
    )
    item_code = models.SlugField("项目代码", max_length=40)
    block_code = models.SlugField("板块代码", max_length=30)
    occurred_on = models.DateField("日期")
    points = models.DecimalField("分值", **POINTS)
    capped_from = models.DecimalField("封顶前分值", null=True, blank=True, **POINTS)
    capped_reason = models.CharField("封顶原因", max_length=200, blank=True)
    source_type = models.CharField("来源", max_length=40)
    source_id = models.CharField("来源编号", max_length=64, blank=True)
    declaration = models.OneToOneField(
        Declaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry",
        verbose_name="申报",
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name="冲正的分录",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    created_at = models.DateTimeField("记账时间")

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = "积分分录"
        verbose_name_plural = "积分分录"
        indexes = [
            models.Index(fields=["member", "occurred_on"], name="points_entry_member_idx"),
            models.Index(fields=["occurred_on", "member", "points"], name="points_entry_year_idx"),
            models.Index(fields=["source_type", "source_id"], name="points_entry_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.item_code} {self.points}"

    @property
    def source_label(self) -> str:
        return dict(self.Source.choices).get(self.source_type, self.source_type)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class MemberYearBalance(models.Model):
    """A member's running totals for one year, kept in the same transaction as every ledger write.

    Derived data: the ledger stays the truth (`points_rebuild_balances` recomputes these rows from it).
    `org_path` is the member's organization path at the last write (or rebuild), for subtree range scans;
    pages that list members join from orgs.Member, so a transfer is reflected at once there.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="point_balances", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    org_path = models.CharField("组织路径", max_length=255)
    blocks = models.JSONField(
        "分板块积分", default=dict, encoder=DjangoJSONEncoder, help_text="板块代码 → 积分（字符串形式的小数）"
    )
    total = models.DecimalField("年度积分", max_digits=9, decimal_places=1, default=Decimal("0"))
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        ordering = ["-year", "-total", "member_id"]
        verbose_name = "党员年度积分余额"
        verbose_name_plural = "党员年度积分余额"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="points_balance_unique")]
        indexes = [
            models.Index(fields=["year", "org_path"], name="points_balance_path_idx"),
            models.Index(fields=["year", "total"], name="points_balance_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.total}"

    def block_points(self, code: str) -> Decimal:
        return Decimal(str(self.blocks.get(code, "0")))


# ---------------------------------------------------------------- cycles


class WeeklyStatQuerySet(ScopedQuerySet["WeeklyStat"]):
    scope_field = "org__path"


class WeeklyStat(models.Model):
    """每周统计: one branch's points in one week (Monday start) of a year, computed by the Monday job."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    week = models.DateField("周起始日", help_text="周一；每年第一周可能始于上一年末")
    points = models.DecimalField("积分合计", max_digits=11, decimal_places=1)
    entries = models.PositiveIntegerField("分录数")
    members = models.PositiveIntegerField("得分人数")
    computed_at = models.DateTimeField("统计时间")

    objects = WeeklyStatQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-week", "org_id"]
        verbose_name = "积分周统计"
        verbose_name_plural = "积分周统计"
        constraints = [models.UniqueConstraint(fields=["org", "year", "week"], name="points_weekly_unique")]
        indexes = [models.Index(fields=["year", "week"], name="points_weekly_week_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.week:%Y-%m-%d}"


class QuarterReviewQuerySet(models.QuerySet["QuarterReview"]):
    def visible_to(self, user: User, *, write: bool = False) -> QuarterReviewQuerySet:
        if write:
            return _filter(self, scope_q(user, "branch__path", wanted=roles.REVIEW_ROLES))
        return _filter(self, scope_q(user, "branch__path"))


class QuarterReview(models.Model):
    """季度审定 and 讲评: the branch confirms a quarter; its recorded declarations enter the ledger."""

    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="point_reviews", verbose_name="党支部"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    remarks = models.TextField("讲评意见", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="审定人"
    )
    confirmed_at = models.DateTimeField("审定时间")
    entries_written = models.PositiveIntegerField("入账条数", default=0)

    objects = QuarterReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "branch_id"]
        verbose_name = "季度审定"
        verbose_name_plural = "季度审定"
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "quarter"], name="points_review_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="points_review_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年第{self.quarter}季度"


class MonthlyNoticeQuerySet(models.QuerySet["MonthlyNotice"]):
    def visible_to(self, user: User, *, write: bool = False) -> MonthlyNoticeQuerySet:
        """Staff read their subtree; a member reads notices published for their organization or above it."""
        if write:
            return _filter(self, scope_q(user, "org__path", wanted=roles.PUBLISH_ROLES))
        paths = scope_paths(user)
        if paths is None:
            return self
        q = subtree_q(paths, "org__path")
        own_path = _own_org_path(user)
        if own_path is not None:
            q |= Q(org__path__in=_self_and_ancestors(own_path), status="published")
        return self.filter(q)


class MonthlyNotice(models.Model):
    """每月通报公示: a published snapshot of a month's points for one organization, open to objections.

    The monthly job drafts one per branch and per catalogue organization on the 1st for the previous month;
    a publisher checks and publishes it (lines refreshed, window opened), or the job publishes at once when
    the catalogue version in force has `notice_auto_publish`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿（待发布）"
        PUBLISHED = "published", "已发布"

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="point_notices", verbose_name="公示范围"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    drafted_at = models.DateTimeField("草稿生成时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发布人",
        help_text="为空表示由系统按积分办法设置自动发布",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    objection_until = models.DateField("异议截止日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = MonthlyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-month", "org__path"]
        verbose_name = "积分月度公示"
        verbose_name_plural = "积分月度公示"
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "month"], name="points_notice_unique"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="points_notice_month"),
        ]

    def __str__(self) -> str:
        return f"{self.org.display_name} {self.year}年{self.month}月积分公示"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def is_open_on(self, day: dt.date) -> bool:
        return not self.is_draft and self.objection_until is not None and day <= self.objection_until


class NoticeLine(models.Model):
    """One member's line of a notice, frozen when published."""

    notice = models.ForeignKey(MonthlyNotice, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    month_points = models.DecimalField("本月积分", **POINTS)
    year_points = models.DecimalField("年度累计", **POINTS)
    pending_points = models.DecimalField("待审定", **POINTS, default=Decimal("0"))

    class Meta:
        ordering = ["notice_id", "-year_points", "member_id"]
        verbose_name = "公示明细"
        verbose_name_plural = "公示明细"

    def __str__(self) -> str:
        return f"{self.member_id} {self.month_points}"


class ObjectionQuerySet(models.QuerySet["Objection"]):
    def visible_to(self, user: User, *, write: bool = False) -> ObjectionQuerySet:
        """Staff of the notice's subtree; a member sees the objections they raised."""
        if write:
            return _filter(self, scope_q(user, "notice__org__path", wanted=roles.PUBLISH_ROLES))
        q = scope_q(user, "notice__org__path")
        if q is None:
            return self
        if getattr(user, "is_authenticated", False):
            q |= Q(raised_by=user.pk)
        return self.filter(q)


class Objection(models.Model):
    """A member's objection to a notice, which the organization must answer."""

    notice = models.ForeignKey(MonthlyNotice, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    about = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="涉及党员"
    )
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["notice_id", "pk"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"{self.notice} 异议 {self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class InterviewQuerySet(models.QuerySet["Interview"]):
    def visible_to(self, user: User, *, write: bool = False) -> InterviewQuerySet:
        if write:
            return _filter(self, scope_q(user, "member__org__path", wanted=roles.PUBLISH_ROLES))
        return _filter(self, scope_q(user, "member__org__path", own="member_id"))


class Interview(models.Model):
    """约谈: a member whose annual total fell below the pass mark was talked to."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="point_interviews", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("积分年度")
    total = models.DecimalField("年度积分", **POINTS)
    held_on = models.DateField("约谈日期")
    interviewer = models.CharField("约谈人", max_length=40)
    notes = models.TextField("约谈情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "member_id"]
        verbose_name = "积分约谈"
        verbose_name_plural = "积分约谈"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="points_interview_unique")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年约谈"
