"""信息报送 and 《组工信息》: articles submitted by units' 信息员, the editor's versions, quotas, and the
journal's numbered issues."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from bulletins import defaults
from bulletins.roles import ANY_WRITE_ROLES
from orgs.access import ScopedQuerySet, scope_paths, scope_q
from orgs.paths import PATH_STEP, subtree_q


class BulletinQuerySet(ScopedQuerySet):
    """Read: any tree role on the unit's subtree. Write: the app's writing roles there (信息员, 编辑…)."""

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        q = (
            scope_q(user, self.scope_field, wanted=ANY_WRITE_ROLES)
            if write
            else scope_q(user, self.scope_field)
        )
        return self if q is None else self.filter(q)


class JournalQuerySet(BulletinQuerySet):
    """Read: a journal is read across its whole subtree, so anyone with a scope above, on or below its
    editing unit reads it. Write: the app's writing roles on the editing unit's subtree."""

    scope_field = "org__path"

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        if write:
            return super().visible_to(user, write=True)
        paths = scope_paths(user)
        if paths is None:
            return self
        above = {p[:i] for p in paths for i in range(PATH_STEP, len(p) + 1, PATH_STEP)}
        return self.filter(Q(**{f"{self.scope_field}__in": above}) | subtree_q(paths, self.scope_field))


class IssueQuerySet(JournalQuerySet):
    scope_field = "journal__org__path"


class Journal(models.Model):
    """A bulletin (e.g. 《安庆组工信息》) edited by one unit, with its sections and distribution block."""

    name = models.CharField("刊名", max_length=40, unique=True)
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="编辑单位"
    )
    office = models.CharField("编印单位", max_length=60, default=defaults.JOURNAL_OFFICE)
    sections = models.JSONField("栏目", default=list)
    report_to = models.CharField("报", max_length=200, blank=True)
    send_to = models.CharField("送", max_length=200, blank=True)
    issue_to = models.CharField("发", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "刊物"
        verbose_name_plural = "刊物"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """An article a unit submits: 草稿 → 已报送 → 采用 (全文/简讯综合/推荐上级) or 退回 → 已报送 again."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        ADOPTED = "adopted", "已采用"
        RETURNED = "returned", "已退回"

    class Adoption(models.TextChoices):
        FULL = "full", "全文采用"
        BRIEF = "brief", "简讯综合"
        RECOMMEND = "recommend", "推荐上级"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="报送单位"
    )
    byline = models.CharField("署名单位", max_length=60, help_text="文末括注，如：桐城市委组织部")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="报送人"
    )
    author_name = models.CharField("作者", max_length=40, blank=True)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    category = models.CharField("类别", max_length=20, blank=True)
    # The 组织生活 record the article reports on, if any: an approved record of the unit or a branch under it.
    record = models.ForeignKey(
        "orglife.MeetingRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="相关组织生活纪实",
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    adoption = models.CharField("采用方式", max_length=12, choices=Adoption.choices, blank=True)
    return_reason = models.TextField("退回意见", blank=True)
    submissions = models.PositiveSmallIntegerField("报送次数", default=0)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    adopted_at = models.DateTimeField("采用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "信息稿件"
        verbose_name_plural = "信息稿件"
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="bulletin_article_state_idx"),
            models.Index(fields=["org", "submitted_at"], name="bulletin_article_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="adopted") | ~Q(adoption=""), name="bulletin_adopted_has_mode"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """The text of an article as submitted by its author or saved by an editor: the author sees the diffs."""

    class Kind(models.TextChoices):
        AUTHOR = "author", "报送稿"
        EDITOR = "editor", "编辑修改"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    kind = models.CharField("来源", max_length=8, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "number"]
        verbose_name = "稿件版本"
        verbose_name_plural = "稿件版本"
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="bulletin_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleEvent(models.Model):
    """One state change of an article, with who, when and a note (退回意见, 采用方式…)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["article", "at", "id"]
        verbose_name = "稿件记录"
        verbose_name_plural = "稿件记录"

    def __str__(self) -> str:
        return f"{self.article_id} {self.action}"


class Quota(models.Model):
    """A unit's 报送任务 (covers its subtree unless a lower unit has its own); defaults in defaults.py."""

    org = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="单位"
    )
    per_person_week = models.PositiveSmallIntegerField(
        "每名信息员每周（篇）", default=defaults.QUOTA_PER_PERSON_WEEK
    )
    per_unit_month = models.PositiveSmallIntegerField(
        "每个单位每月（篇）", default=defaults.QUOTA_PER_UNIT_MONTH
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["org__path"]
        verbose_name = "报送任务"
        verbose_name_plural = "报送任务"

    def __str__(self) -> str:
        return f"{self.org_id}: {self.per_person_week}/周 {self.per_unit_month}/月"


class Issue(models.Model):
    """One issue (期) of a journal. Its 期号 is given when it is published: sequential per year, no gaps."""

    class Status(models.TextChoices):
        DRAFT = "draft", "编辑中"
        PUBLISHED = "published", "已印发"

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="issues", verbose_name="刊物")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("期号", null=True, blank=True)
    issue_date = models.DateField("日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    leader_box = models.BooleanField("领导批示栏", default=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="更正",
    )
    notice = models.TextField("更正说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("印发时间", null=True, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-number", "-id"]
        verbose_name = "期刊"
        verbose_name_plural = "期刊"
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "year", "number"], name="bulletin_issue_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False), name="bulletin_published_has_number"
            ),
        ]

    def __str__(self) -> str:
        label = f"第{self.number}期" if self.number else "（未编号）"
        return f"{self.journal.name} {self.year}年{label}"


class IssueCounter(models.Model):
    """The last 期号 given in a journal's year: locked while a number is taken, so two publishers queue."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["journal", "year"]
        constraints = [models.UniqueConstraint(fields=["journal", "year"], name="bulletin_counter_unique")]

    def __str__(self) -> str:
        return f"{self.journal_id} {self.year}: {self.last_number}"


class IssueEntry(models.Model):
    """An adopted article placed in an issue's section; an article is in one issue at most."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    article = models.OneToOneField(Article, on_delete=models.PROTECT, related_name="entry")
    section = models.CharField("栏目", max_length=20)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["issue", "position", "id"]
        verbose_name = "期刊稿件"
        verbose_name_plural = "期刊稿件"

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.article_id}"


def image_path(instance: ArticleImage, filename: str) -> str:
    # A random stored name: the uploaded file's name is kept in a column, never in the path.
    return f"bulletins/{instance.stored_name}"


class ArticleImage(models.Model):
    """A picture of an article: decoded and written again as a plain JPEG (no EXIF or GPS), in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    stored_name = models.CharField(max_length=80, unique=True)
    file = models.FileField(upload_to=image_path, max_length=200)
    caption = models.CharField("图片说明", max_length=60, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "position", "id"]
        verbose_name = "稿件图片"
        verbose_name_plural = "稿件图片"

    def __str__(self) -> str:
        return self.caption or self.original_name
