"""Composing and publishing issues: 期号 per year without gaps, one issue per article, locked once out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bulletins.models import Issue
from bulletins.selectors import issue_sections
from bulletins.services import issues
from bulletins.tests.conftest import adopted

DAY = dt.date(2026, 3, 2)


def test_numbers_are_given_on_publishing_in_sequence_per_year(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    first = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    second = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    next_year = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2027, 1, 5))
    for i, issue in enumerate((second, first, next_year)):
        issues.place_article(
            actor=editor,
            issue=issue,
            article=adopted(officer, editor, cast.committee_a, f"信息{i}"),
            section="市内信息",
        )
        issues.publish_issue(actor=editor, issue=issue)
    numbers = {i.pk: (i.year, i.number) for i in Issue.objects.all()}
    assert numbers == {second.pk: (2026, 1), first.pk: (2026, 2), next_year.pk: (2027, 1)}


def test_an_empty_issue_takes_no_number(cast: Any, editor: Any, journal: Any, officer: Any) -> None:
    empty = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    with pytest.raises(ValidationError, match="还没有编入稿件"):
        issues.publish_issue(actor=editor, issue=empty)
    issues.place_article(
        actor=editor, issue=empty, article=adopted(officer, editor, cast.committee_a), section="市外参考"
    )
    assert issues.publish_issue(actor=editor, issue=empty).number == 1


def test_an_article_goes_into_one_issue_only(cast: Any, officer: Any, editor: Any, journal: Any) -> None:
    article = adopted(officer, editor, cast.committee_a)
    one = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    two = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    issues.place_article(actor=editor, issue=one, article=article, section="市内信息")
    with pytest.raises(ValidationError, match="不能编入两期"):
        issues.place_article(actor=editor, issue=two, article=article, section="市内信息")


def test_recommended_or_unadopted_articles_are_not_placed(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    with pytest.raises(ValidationError, match="全文采用或简讯综合"):
        issues.place_article(
            actor=editor,
            issue=issue,
            article=adopted(officer, editor, cast.committee_a, mode="recommend"),
            section="市内信息",
        )
    with pytest.raises(ValidationError, match="栏目"):
        issues.place_article(
            actor=editor, issue=issue, article=adopted(officer, editor, cast.committee_a), section="无此栏目"
        )


def test_a_published_issue_is_locked_and_corrected_by_a_new_notice(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    issues.place_article(
        actor=editor, issue=issue, article=adopted(officer, editor, cast.committee_a), section="市内信息"
    )
    issues.publish_issue(actor=editor, issue=issue)
    with pytest.raises(ValidationError, match="已锁定"):
        issues.place_article(
            actor=editor,
            issue=issue,
            article=adopted(officer, editor, cast.committee_a, "另一篇"),
            section="市内信息",
        )
    with pytest.raises(ValidationError, match="更正内容"):
        issues.create_issue(actor=editor, journal=journal, issue_date=DAY, corrects=issue, notice="")
    fix = issues.create_issue(
        actor=editor, journal=journal, issue_date=DAY, corrects=issue, notice="第1期“120篇”应为“102篇”。"
    )
    assert issues.publish_issue(actor=editor, issue=fix).number == 2


def test_a_paper_sequence_continues_only_before_the_year_s_first_issue(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    issues.set_next_number(actor=editor, journal=journal, year=2026, next_number=35)
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    issues.place_article(
        actor=editor, issue=issue, article=adopted(officer, editor, cast.committee_a), section="市内信息"
    )
    assert issues.publish_issue(actor=editor, issue=issue).number == 35
    with pytest.raises(ValidationError, match="只能顺延"):
        issues.set_next_number(actor=editor, journal=journal, year=2026, next_number=1)


def test_sections_keep_the_journal_order_and_moves_swap_neighbours(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=DAY)
    outside = issues.place_article(
        actor=editor,
        issue=issue,
        article=adopted(officer, editor, cast.committee_a, "外"),
        section="市外参考",
    )
    a = issues.place_article(
        actor=editor,
        issue=issue,
        article=adopted(officer, editor, cast.committee_a, "甲"),
        section="市内信息",
    )
    b = issues.place_article(
        actor=editor,
        issue=issue,
        article=adopted(officer, editor, cast.committee_a, "乙"),
        section="市内信息",
    )
    issues.move_entry(actor=editor, entry=b, up=True)
    layout = [(s.name, [e.article.title for e in s.entries]) for s in issue_sections(issue)]
    assert layout == [("市内信息", ["乙", "甲"]), ("市外参考", ["外"])]
    del a, outside


def test_only_the_journal_s_editors_compose(cast: Any, officer: Any, editor: Any, journal: Any) -> None:
    for someone in (officer, cast.viewer, cast.committee_admin):
        with pytest.raises(PermissionDenied):
            issues.create_issue(actor=someone, journal=journal, issue_date=DAY)
