"""The archive of issues searched by article title, unit, keyword (substring: 「观察员」 inside
「组织生活观察员制度」) and date range, scoped like the issue list; bad dates are named and ignored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from bulletins.models import Issue
from bulletins.selectors import ArchiveQuery, archive
from bulletins.services import issues
from bulletins.tests.conftest import adopted
from bulletins.tests.test_pages import client, stranger


def _published(editor: Any, journal: Any, date: dt.date, articles: list[Any]) -> Issue:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=date)
    for article in articles:
        issues.place_article(actor=editor, issue=issue, article=article, section="市内信息")
    return issues.publish_issue(actor=editor, issue=issue)


def _archive(cast: Any, editor: Any, officer: Any, journal: Any) -> tuple[Issue, Issue]:
    spring = _published(
        editor,
        journal,
        dt.date(2026, 3, 2),
        [adopted(officer, editor, cast.committee_a, "太湖县：探索建立组织生活观察员制度")],
    )
    autumn = _published(
        editor,
        journal,
        dt.date(2026, 9, 8),
        [adopted(officer, editor, cast.committee_a, "县财政局开展学经济提能力活动")],
    )
    return spring, autumn


def _ids(user: Any, **words: Any) -> set[int]:
    return set(archive(user, ArchiveQuery(**words)).values_list("id", flat=True))


def test_search_by_words_unit_and_dates(cast: Any, editor: Any, officer: Any, journal: Any) -> None:
    spring, autumn = _archive(cast, editor, officer, journal)
    assert _ids(editor) == {spring.pk, autumn.pk}
    assert _ids(editor, keyword="观察员") == {spring.pk}  # inside 组织生活观察员制度, no tokenizer needed
    assert _ids(editor, keyword="每人每周") == {spring.pk, autumn.pk}  # in the body of both
    assert _ids(editor, title="学经济") == {autumn.pk}
    assert _ids(editor, title="每人每周") == set()  # body words are not titles
    assert _ids(editor, unit="县直机关工委") == {spring.pk, autumn.pk}  # the byline
    assert _ids(editor, unit=cast.committee_a.name) == {spring.pk, autumn.pk}  # the unit's name
    assert _ids(editor, unit="桐城") == set()
    assert _ids(editor, date_from=dt.date(2026, 6, 1)) == {autumn.pk}
    assert _ids(editor, date_to=dt.date(2026, 6, 1), keyword="观察员") == {spring.pk}
    assert _ids(stranger(), keyword="观察员") == set()  # another county's reader sees none of it


def test_the_archive_page_shows_the_matching_articles(
    cast: Any, editor: Any, officer: Any, journal: Any
) -> None:
    spring, autumn = _archive(cast, editor, officer, journal)
    url = reverse("bulletins:issue_list")
    for user in (editor, cast.viewer, cast.outsider):  # read across the county, read-only included
        page = client(user).get(url, {"q": "观察员"}).content.decode()
        assert "太湖县：探索建立组织生活观察员制度" in page and "学经济" not in page
        assert f"/bulletins/issues/{spring.pk}/" in page and f"/bulletins/issues/{autumn.pk}/" not in page
    none = client(stranger()).get(url, {"q": "观察员"})
    assert none.status_code == 200 and "没有符合条件的期刊" in none.content.decode()
    assert client(None).get(url, {"q": "观察员"}).status_code == 302
    bad = client(editor).get(url, {"from": "2026-13-01", "unit": "县直"}).content.decode()
    assert (
        "起始日期格式不正确" in bad and f"/bulletins/issues/{spring.pk}/" in bad
    )  # the condition is dropped
