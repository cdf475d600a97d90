"""Writes of a journal's issues: compose from adopted articles, publish with the next 期号, correct.

期号 are sequential per journal and year and never reused: a number is taken only when an issue is
published, in the same transaction, from the journal's IssueCounter row locked FOR UPDATE; so two editors
publishing at once queue on that row and get N and N+1, and a failed publish takes no number. A published
issue is locked; a mistake is put right by a 更正 notice, itself a new numbered issue.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from bulletins import defaults
from bulletins.models import Article, Issue, IssueCounter, IssueEntry, Journal
from bulletins.roles import EDIT_ROLES
from orgs.access import holds
from orgs.models import Organization

PLACEABLE = (Article.Adoption.FULL, Article.Adoption.BRIEF)


def can_compose(actor: User, journal: Journal) -> bool:
    return holds(actor, EDIT_ROLES, journal.org.path)


def _require_editor(actor: User, journal: Journal) -> None:
    if not can_compose(actor, journal):
        raise PermissionDenied("您不是该刊物的编辑")


@transaction.atomic
def create_journal(
    *,
    actor: User,
    org: Organization,
    name: str,
    office: str = defaults.JOURNAL_OFFICE,
    sections: list[str] | None = None,
    report_to: str = defaults.DISTRIBUTION["report_to"],
    send_to: str = defaults.DISTRIBUTION["send_to"],
    issue_to: str = defaults.DISTRIBUTION["issue_to"],
) -> Journal:
    if not holds(actor, EDIT_ROLES, org.path):
        raise PermissionDenied("您不是该单位的编辑，不能创办刊物")
    sections = [s.strip() for s in (sections or defaults.SECTIONS) if s.strip()]
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写刊名"]
    elif Journal.objects.filter(name=name.strip()).exists():
        errors["name"] = ["已有同名刊物"]
    if not sections or len(set(sections)) != len(sections):
        errors["sections"] = ["栏目不能为空，也不能重复"]
    if errors:
        raise ValidationError(errors)
    return Journal.objects.create(
        org=org,
        name=name.strip(),
        office=office.strip(),
        sections=sections,
        report_to=report_to,
        send_to=send_to,
        issue_to=issue_to,
    )


@transaction.atomic
def set_next_number(*, actor: User, journal: Journal, year: int, next_number: int) -> IssueCounter:
    """Continue a paper sequence (the platform starts mid-year at 第 N 期): only before any issue of that
    year is published here, so numbers already given are never skipped or reused."""
    _require_editor(actor, journal)
    if next_number < 1:
        raise ValidationError({"next_number": ["期号应为正整数"]})
    counter, _ = IssueCounter.objects.select_for_update().get_or_create(journal=journal, year=year)
    if Issue.objects.filter(journal=journal, year=year, status=Issue.Status.PUBLISHED).exists():
        raise ValidationError(f"{year}年已有印发的期刊，期号只能顺延，不能再调整")
    counter.last_number = next_number - 1
    counter.save(update_fields=["last_number"])
    return counter


@transaction.atomic
def create_issue(
    *,
    actor: User,
    journal: Journal,
    issue_date: dt.date,
    leader_box: bool = True,
    notice: str = "",
    corrects: Issue | None = None,
) -> Issue:
    """A draft issue (its 期号 is given on publishing). With `corrects`: a 更正 notice for that issue."""
    _require_editor(actor, journal)
    if corrects is not None:
        published = Issue.objects.filter(pk=corrects.pk, journal=journal, status=Issue.Status.PUBLISHED)
        if not published.exists():
            raise ValidationError("只能对本刊已印发的期刊发更正")
        if not notice.strip():
            raise ValidationError({"notice": ["请填写更正内容"]})
    return Issue.objects.create(
        journal=journal,
        year=issue_date.year,
        issue_date=issue_date,
        leader_box=leader_box,
        notice=notice.strip(),
        corrects=corrects,
        created_by=actor,
    )


def _draft(actor: User, issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().select_related("journal__org").get(pk=issue.pk)
    _require_editor(actor, issue.journal)
    if issue.status != Issue.Status.DRAFT:
        raise ValidationError("该期已印发，内容已锁定；如需改正请发更正")
    return issue


@transaction.atomic
def update_issue(*, actor: User, issue: Issue, issue_date: dt.date, leader_box: bool) -> Issue:
    issue = _draft(actor, issue)
    issue.issue_date, issue.year, issue.leader_box = issue_date, issue_date.year, leader_box
    issue.save(update_fields=["issue_date", "year", "leader_box"])
    return issue


@transaction.atomic
def place_article(*, actor: User, issue: Issue, article: Article, section: str) -> IssueEntry:
    """Put an adopted article (全文 or 简讯综合) at the end of a section of a draft issue."""
    issue = _draft(actor, issue)
    if section not in issue.journal.sections:
        raise ValidationError({"section": ["请选择本刊的栏目"]})
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.state != Article.State.ADOPTED or article.adoption not in PLACEABLE:
        raise ValidationError("只有全文采用或简讯综合的稿件可以编入期刊")
    existing = IssueEntry.objects.filter(article=article).select_related("issue__journal").first()
    if existing is not None:
        raise ValidationError(f"该稿件已编入{existing.issue}，一篇稿件不能编入两期")
    last = issue.entries.aggregate(m=Max("position"))["m"] or 0
    try:
        with transaction.atomic():
            return IssueEntry.objects.create(issue=issue, article=article, section=section, position=last + 1)
    except IntegrityError:
        raise ValidationError("该稿件已编入其他期刊，一篇稿件不能编入两期") from None


@transaction.atomic
def remove_article(*, actor: User, entry: IssueEntry) -> None:
    _draft(actor, entry.issue)
    entry.delete()


@transaction.atomic
def move_entry(*, actor: User, entry: IssueEntry, up: bool) -> None:
    """Swap an entry with its neighbour in the same section."""
    issue = _draft(actor, entry.issue)
    siblings = list(issue.entries.filter(section=entry.section).order_by("position", "id"))
    index = next(i for i, e in enumerate(siblings) if e.pk == entry.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    IssueEntry.objects.bulk_update(siblings, ["position"])


@transaction.atomic
def publish_issue(*, actor: User, issue: Issue, at: dt.datetime | None = None) -> Issue:
    """印发: take the next 期号 of the journal's year (locked counter row), then lock the issue."""
    issue = _draft(actor, issue)
    if issue.corrects_id is None and not issue.entries.exists():
        raise ValidationError("本期还没有编入稿件，不能印发")
    IssueCounter.objects.get_or_create(journal=issue.journal, year=issue.year)
    counter = IssueCounter.objects.select_for_update().get(journal=issue.journal, year=issue.year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    issue.number = counter.last_number
    issue.status = Issue.Status.PUBLISHED
    issue.published_by = actor  # type: ignore[assignment]
    issue.published_at = at or timezone.now()
    issue.save(update_fields=["number", "status", "published_by", "published_at"])
    record_event(
        actor=actor, action=AuditEvent.Action.UPDATE, target=issue, summary={"published": str(issue)}
    )
    return issue
