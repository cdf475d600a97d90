"""Reads of 信息报送 and 《组工信息》 spanning models: lists, diffs, an issue's layout, the ranking."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from bulletins.models import Article, ArticleVersion, Issue, IssueEntry
from bulletins.services.richtext import plain_text


def article_list(user: Any, *, q: str = "", state: str = "", org: int | None = None) -> QuerySet[Article]:
    qs = Article.objects.visible_to(user).select_related("org", "author")
    if state in Article.State.values:
        qs = qs.filter(state=state)
    if q.strip():
        term = q.strip()[:50]
        qs = qs.filter(_has("", "title", term) | _has("", "byline", term) | _has("", "body", term))
    if org:
        qs = qs.filter(org_id=org)
    # A draft is its author's own business.
    return qs.filter(~Q(state=Article.State.DRAFT) | Q(author=user))


@dataclass
class VersionDiff:
    version: ArticleVersion
    diff: list[tuple[str, str]]  # (op, text): op "=", "+" or "-"


def versions_with_diffs(article: Article) -> list[VersionDiff]:
    """Each version with its changes against the previous one, line by line (paragraphs)."""
    result: list[VersionDiff] = []
    previous: list[str] = []
    for version in article.versions.select_related("by").order_by("number"):
        lines = [f"【标题】{version.title}", *plain_text(version.body).split("\n")]
        diff: list[tuple[str, str]] = []
        if result:
            matcher = difflib.SequenceMatcher(a=previous, b=lines, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    diff.extend(("=", line) for line in lines[j1:j2])
                else:
                    diff.extend(("-", line) for line in previous[i1:i2])
                    diff.extend(("+", line) for line in lines[j1:j2])
        result.append(VersionDiff(version, diff))
        previous = lines
    return result


@dataclass
class Section:
    name: str
    entries: list[IssueEntry]


def issue_sections(issue: Issue) -> list[Section]:
    """The issue's sections in the journal's order, each with its articles in order (empty ones kept)."""
    entries = list(
        issue.entries.select_related("article__org")
        .prefetch_related("article__images")
        .order_by("position", "id")
    )
    names = list(issue.journal.sections)
    names += sorted({e.section for e in entries} - set(names))
    return [Section(name, [e for e in entries if e.section == name]) for name in names]


def adoption_ranking(user: Any, year: int) -> list[dict[str, Any]]:
    """Units by articles adopted in the year (全文 counts before 简讯 on ties), with submissions."""
    qs = Article.objects.visible_to(user).filter(submitted_at__year=year).exclude(state=Article.State.DRAFT)
    rows = (
        qs.values("org_id", "org__name")
        .annotate(
            submitted=Count("id"),
            adopted=Count("id", filter=Q(state=Article.State.ADOPTED)),
            full=Count("id", filter=Q(state=Article.State.ADOPTED, adoption=Article.Adoption.FULL)),
            recommended=Count(
                "id", filter=Q(state=Article.State.ADOPTED, adoption=Article.Adoption.RECOMMEND)
            ),
        )
        .order_by("-adopted", "-full", "-submitted", "org__name")
    )
    return [dict(row) for row in rows]


@dataclass(frozen=True)
class ArchiveQuery:
    """The archive's filters: words are matched as substrings (「观察员」 finds 「组织生活观察员制度」), so
    Chinese needs no tokenizer; each is cut to 50 characters."""

    title: str = ""
    unit: str = ""  # the byline 「（桐城市委组织部）」 or the submitting unit's name
    keyword: str = ""  # title or body
    date_from: Any = None
    date_to: Any = None
    year: int | None = None

    @property
    def article_filters(self) -> bool:
        return bool(self.title or self.unit or self.keyword)


def substring_lookup(term: str) -> str:
    """``contains`` for a word without letter case (Chinese, digits), else ``icontains``.

    Both find the same rows for such a word, but on PostgreSQL ``icontains`` is ``UPPER(col) LIKE``,
    which upper-cases every body it looks at (3× a plain LIKE over 20k articles, bench/RESULTS.md) and
    needs the trigram index on ``UPPER(col)``; ``contains`` is a plain LIKE served by the index on the
    column itself (bulletins migration 0003)."""
    return "icontains" if term.upper() != term.lower() else "contains"


def _has(prefix: str, field: str, term: str) -> Q:
    return Q(**{f"{prefix}{field}__{substring_lookup(term)}": term})


def archive_article_q(query: ArchiveQuery, prefix: str = "") -> Q:
    q = Q()
    if query.title:
        q &= _has(prefix, "title", query.title[:50])
    if query.unit:
        term = query.unit[:50]
        q &= _has(prefix, "byline", term) | _has(prefix, "org__name", term)
    if query.keyword:
        term = query.keyword[:50]
        q &= _has(prefix, "title", term) | _has(prefix, "body", term)
    return q


def archive(user: Any, query: ArchiveQuery) -> QuerySet[Issue]:
    """The issues a user reads, newest first, narrowed to those with an article matching the words."""
    qs = Issue.objects.visible_to(user).select_related("journal", "corrects")
    if query.year:
        qs = qs.filter(year=query.year)
    if query.date_from:
        qs = qs.filter(issue_date__gte=query.date_from)
    if query.date_to:
        qs = qs.filter(issue_date__lte=query.date_to)
    if query.article_filters:
        matching = IssueEntry.objects.filter(archive_article_q(query, "article__")).values("issue_id")
        qs = qs.filter(id__in=matching)
    return qs.order_by("-issue_date", "-id")


def archive_hits(issues: list[Issue], query: ArchiveQuery) -> dict[int, list[IssueEntry]]:
    """For a page of issues, the articles in each that match the words (none when there are no words)."""
    if not query.article_filters or not issues:
        return {}
    hits: dict[int, list[IssueEntry]] = {}
    entries = (
        IssueEntry.objects.filter(issue__in=issues)
        .filter(archive_article_q(query, "article__"))
        .select_related("article")
        .order_by("issue_id", "position", "id")
    )
    for entry in entries:
        hits.setdefault(entry.issue_id, []).append(entry)
    return hits
