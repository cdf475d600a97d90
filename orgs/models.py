"""Organizations (a materialized-path tree), members and positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as NumberError

import personal
from orgs.access import ScopedQuerySet, check_separation, scope_paths
from orgs.paths import PATH_STEP, under_path_q
from orgs.roles import WRITE_ROLES, Role


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check character, checked by python-stdnum."""
    try:
        uscc.validate(value)
    except NumberError:
        raise ValidationError("统一社会信用代码应为18位，且校验位正确（如 91340826MA2N0XXXXX）") from None


class OrganizationQuerySet(ScopedQuerySet["Organization"]):
    scope_field = "path"

    def roots_for(self, user: Any, *, write: bool = False) -> OrganizationQuerySet:
        """The tops of the user's subtrees, in tree order (the whole tree's roots for a superuser)."""
        paths = scope_paths(user, write=write)
        qs = self.filter(parent__isnull=True) if paths is None else self.filter(path__in=paths)
        return qs.order_by("path")

    def under(self, org: Organization, *, include_self: bool = True) -> OrganizationQuerySet:
        qs = self.filter(under_path_q(org.path))
        return qs if include_self else qs.exclude(pk=org.pk)

    def branches(self) -> OrganizationQuerySet:
        return self.filter(kind__in=Organization.BRANCH_KINDS)


class Organization(models.Model):
    """A party organization (党组织): one node of the tree, with its 基本信息采集表 fields."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        WORKING_COMMITTEE = "working_committee", "党工委"
        LEADING_GROUP = "leading_group", "党组"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        JOINT_BRANCH = "joint_branch", "联合党支部"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
        GROUP = "group", "党小组"

    class UnitCategory(models.TextChoices):
        ORGAN = "organ", "机关"
        INSTITUTION = "institution", "事业单位"
        ENTERPRISE = "enterprise", "企业"
        VILLAGE = "village", "农村"
        COMMUNITY = "community", "社区"
        SCHOOL = "school", "学校"
        SOCIAL = "social", "社会组织"
        OTHER = "other", "其他"

    class EconomicType(models.TextChoices):
        """单位性质/经济类型 of the 采集表 (the statistics bureau's 登记注册类型, grouped)."""

        STATE = "state", "国有经济"
        COLLECTIVE = "collective", "集体经济"
        PRIVATE = "private", "私营经济"
        INDIVIDUAL = "individual", "个体经济"
        SHAREHOLDING = "shareholding", "股份制经济"
        FOREIGN = "foreign", "外商投资经济"
        HK_MACAO_TAIWAN = "hk_macao_taiwan", "港澳台投资经济"
        NON_ENTERPRISE = "non_enterprise", "非企业单位"
        OTHER = "other", "其他"

    class EnterpriseSize(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

    BRANCH_KINDS = (Kind.BRANCH, Kind.JOINT_BRANCH, Kind.TEMPORARY_BRANCH)
    COMMITTEE_KINDS = (Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.LEADING_GROUP)

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级组织",
    )
    path = models.CharField(max_length=252, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    child_seq = models.PositiveIntegerField(default=0, editable=False)

    name = models.CharField("组织全称（公章名称）", max_length=120)
    short_name = models.CharField("组织简称", max_length=60, blank=True)
    code = models.CharField("组织代码", max_length=40, unique=True)
    kind = models.CharField("组织类别", max_length=24, choices=Kind.choices)
    unit_category = models.CharField("单位类别", max_length=16, choices=UnitCategory.choices)
    unit_situation = models.CharField("单位建立党组织情况", max_length=120, blank=True)
    secretary_name = models.CharField("书记姓名", max_length=40, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone_enc = models.TextField(blank=True, editable=False)
    contact_phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    established_on = models.DateField("成立日期", null=True, blank=True)
    has_committee = models.BooleanField("设立支部委员会", default=False)
    term_started_on = models.DateField("本届届期开始", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        "届期（年）", null=True, blank=True, help_text="留空则按规定：党委5年，总支和支部3年，村和社区5年"
    )
    # The unit (所在单位) side of the 党组织和所在单位基本信息采集表.
    unit_name = models.CharField("单位名称", max_length=120, blank=True)
    unit_credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    unit_economic_type = models.CharField(
        "单位性质/经济类型", max_length=16, choices=EconomicType.choices, blank=True
    )
    enterprise_size = models.CharField(
        "企业规模", max_length=8, choices=EnterpriseSize.choices, blank=True, help_text="企业单位填写"
    )
    unit_staff_count = models.PositiveIntegerField(
        "在岗职工数", null=True, blank=True, validators=[MaxValueValidator(10_000_000)]
    )
    unit_address = models.CharField("单位地址", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [models.Index(fields=["kind", "path"], name="org_kind_path_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in self.BRANCH_KINDS

    @property
    def is_village_or_community(self) -> bool:
        return self.unit_category in (self.UnitCategory.VILLAGE, self.UnitCategory.COMMUNITY)

    @property
    def effective_term_years(self) -> int:
        from orgs.structure import default_term_years

        return self.term_years or default_term_years(self)

    @property
    def term_ends_on(self) -> dt.date | None:
        if not self.term_started_on:
            return None
        start = self.term_started_on
        years = start.year + self.effective_term_years
        try:
            return start.replace(year=years)
        except ValueError:  # 29 February
            return start.replace(year=years, day=28)

    def set_contact_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.contact_phone_enc = personal.encrypt(value)
        self.contact_phone_masked = personal.mask_phone(value)

    def ancestors(self) -> OrganizationQuerySet:
        prefixes = [self.path[:i] for i in range(PATH_STEP, len(self.path), PATH_STEP)]
        return Organization.objects.filter(path__in=prefixes)


class MemberQuerySet(ScopedQuerySet["Member"]):
    def under(self, org: Organization) -> MemberQuerySet:
        return self.filter(under_path_q(org.path, "org__path"))

    def active(self) -> MemberQuerySet:
        return self.filter(status__in=Member.ACTIVE_STATUSES)


class Member(models.Model):
    """A party member (党员), with the fields of the 党员基本信息采集表."""

    class Gender(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    class Category(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", "研究生"
        BACHELOR = "bachelor", "大学本科"
        COLLEGE = "college", "大学专科"
        SECONDARY = "secondary", "中专"
        HIGH_SCHOOL = "high_school", "高中"
        JUNIOR = "junior", "初中及以下"

    class Status(models.TextChoices):
        NORMAL = "normal", "正常"
        MOBILE = "mobile", "流动"
        LOST = "lost", "失联"
        SUSPENDED = "suspended", "停止党籍"
        LEFT = "left", "出党"
        DECEASED = "deceased", "死亡"

    ACTIVE_STATUSES = (Status.NORMAL, Status.MOBILE, Status.LOST, Status.SUSPENDED)

    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=20, editable=False)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    category = models.CharField("人员类别", max_length=16, choices=Category.choices)
    joined_on = models.DateField("入党日期")
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", verbose_name="所在党组织"
    )
    party_group = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
        verbose_name="所在党小组",
    )
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    occupation = models.CharField("工作岗位", max_length=60, blank=True)
    status = models.CharField("党籍状态", max_length=16, choices=Status.choices, default=Status.NORMAL)
    is_exempt = models.BooleanField("免于参加组织生活（年老体弱）", default=False)
    exempt_reason = models.CharField("免参原因", max_length=120, blank=True)
    # When the status became 出党/死亡 (set by the member services); the retention period runs from it.
    left_on = models.DateField("出党/去世日期", null=True, blank=True)
    # Set when the personal data was purged after the retention period (orgs.retention).
    personal_data_purged_at = models.DateTimeField("个人信息清除时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "id"]
        verbose_name = "党员"
        verbose_name_plural = "党员"
        indexes = [
            models.Index(fields=["org", "category"], name="member_org_category_idx"),
            models.Index(fields=["name"], name="member_name_idx"),
        ]
        permissions = [
            ("unmask_member", "查看完整身份证号和手机号"),
            # A full-number search confirms whether the number belongs to a member: its own right.
            ("search_member_number", "按完整身份证号或手机号查找党员"),
            ("export_member", "导出党员名册"),
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
        self.phone_hash = personal.blind_index("phone", value)
        self.phone_masked = personal.mask_phone(value)

    @property
    def counts_in_denominator(self) -> bool:
        """Exempt, lost and suspended members leave attendance denominators (RULES §2.2)."""
        return self.status in (self.Status.NORMAL, self.Status.MOBILE) and not self.is_exempt


class DisciplineQuerySet(ScopedQuerySet["Discipline"]):
    scope_field = "member__org__path"

    def in_force_on(self, day: dt.date) -> DisciplineQuerySet:
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))

    def barred_ids(self, day: dt.date) -> set[int]:
        """The members whose rights are suspended on `day` (no vote, Q-01; no sponsoring, D-07)."""
        return set(self.in_force_on(day).values_list("member_id", flat=True))


class Discipline(models.Model):
    """留党察看 of a member, with its dates. A fact of the member, so it sits on the ground floor: it bars
    voting (RULES Q-01; organizational life's 党员大会 and development's 支部大会 both leave the member out of
    those due and those present) and sponsoring (D-07). Moved here from `development` (same rows, same ids)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disciplines")
    starts_on = models.DateField("留党察看开始")
    ends_on = models.DateField("恢复党员权利日期", null=True, blank=True)
    note = models.CharField("处分决定", max_length=200)

    objects = DisciplineQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "-starts_on"]
        verbose_name = "留党察看"
        verbose_name_plural = "留党察看"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="orgs_discipline_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} 留党察看 {self.starts_on}"


class PositionQuerySet(ScopedQuerySet["Position"]):
    def current(self) -> PositionQuerySet:
        return self.filter(ended_on__isnull=True)


class Position(models.Model):
    """A post held in an organization (书记, 组织委员 …) over a period."""

    class Title(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        ORGANIZATION = "organization", "组织委员"
        PROPAGANDA = "propaganda", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        CONTACT = "contact", "联系人"
        GROUP_LEADER = "group_leader", "党小组组长"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="positions", verbose_name="党员"
    )
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="positions", verbose_name="组织"
    )
    title = models.CharField("职务", max_length=24, choices=Title.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "title", "-started_on"]
        verbose_name = "职务"
        verbose_name_plural = "职务"
        indexes = [models.Index(fields=["org", "title"], name="position_org_title_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="position_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_title_display()} {self.member}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class RoleGrant(models.Model):
    """A role held on an organization node; it covers the node's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name="用户"
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="grants", verbose_name="组织"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    # Set when the grant is implied by a post (orgs.roles.POST_ROLES): ending the post revokes it.
    position = models.ForeignKey(
        "orgs.Position",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name="来自职务",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when grants lived in accounts (moved with state-only migrations).
        db_table = "accounts_rolegrant"
        ordering = ["user_id", "role"]
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def clean(self) -> None:
        # 三员分立 also holds for grants made in the admin.
        if self.user_id and self.role:
            check_separation(self.user, self.role)


class ColumnMapping(models.Model):
    """A county's own header for one of our columns, remembered for its next import (the onboarding wizard)."""

    class Sheet(models.TextChoices):
        ORGANIZATIONS = "orgs", "党组织"
        MEMBERS = "members", "党员"
        POSITIONS = "positions", "职务"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="column_mappings")
    sheet = models.CharField("文件", max_length=12, choices=Sheet.choices)
    header = models.CharField("文件中的列名", max_length=100)
    column = models.CharField("对应的列", max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["org_id", "sheet", "header"]
        verbose_name = "列名对应"
        verbose_name_plural = "列名对应"
        constraints = [
            models.UniqueConstraint(fields=["org", "sheet", "header"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.column}"


class OnboardingBatchQuerySet(ScopedQuerySet["OnboardingBatch"]):
    scope_field = "org__path"


class OnboardingBatch(models.Model):
    """One run of the onboarding wizard: the uploaded files (encrypted), the preview and the import's result."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "待核对列名"
        CHECKING = "checking", "正在校验"
        CHECKED = "checked", "已校验"
        IMPORTING = "importing", "正在导入"
        DONE = "done", "已导入"
        FAILED = "failed", "未导入"

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="onboarding_batches", verbose_name="导入范围"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.UPLOADED)
    # Each file as SM4-GCM ciphertext (personal.encrypt_bytes): they hold ID numbers and phones.
    orgs_file = models.BinaryField(blank=True, default=b"", editable=False)
    orgs_file_name = models.CharField("党组织文件", max_length=200, blank=True)
    members_file = models.BinaryField(blank=True, default=b"", editable=False)
    members_file_name = models.CharField("党员文件", max_length=200, blank=True)
    positions_file = models.BinaryField(blank=True, default=b"", editable=False)
    positions_file_name = models.CharField("职务文件", max_length=200, blank=True)
    mapping = models.JSONField("列名对应", default=dict, blank=True)  # sheet -> {header: column}
    progress = models.PositiveSmallIntegerField("进度", default=0)
    stage = models.CharField("当前步骤", max_length=60, blank=True)
    report = models.JSONField("校验或导入结果", default=dict, blank=True)
    checked_at = models.DateTimeField("校验时间", null=True, blank=True)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OnboardingBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"

    def __str__(self) -> str:
        return f"导入批次 {self.pk}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class ReferenceVersion(models.Model):
    """One row: the version of the rarely-changing reference data every process keeps in memory (orgs.reference).
    A new random token on every write of that data; it is read with the session (ops.sessions), so a page
    learns whether its process's copy is current without a query of its own."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "参考数据版本"
        verbose_name_plural = "参考数据版本"

    def __str__(self) -> str:
        return str(self.token)
