"""The bulletins cast: the shared county cast plus a 信息员 on committee_a, an editor on the county and a
journal edited there."""

from __future__ import annotations

from typing import Any

import pytest

from bulletins.models import Article, Journal
from bulletins.services import articles, issues
from conftest import make_user
from orgs.roles import Role

BODY = "<p><strong>建章立制。</strong>出台办法，明确每人每周至少报送一篇信息。</p><p>下一步，将持续推进。</p>"


@pytest.fixture
def officer(cast: Any) -> Any:
    return make_user("officer", Role.INFO_OFFICER, cast.committee_a, first_name="刘信息")


@pytest.fixture
def editor(cast: Any) -> Any:
    return make_user("editor", Role.EDITOR, cast.county, first_name="陈编辑")


@pytest.fixture
def journal(cast: Any, editor: Any) -> Journal:
    return issues.create_journal(actor=editor, org=cast.county, name="示范组工信息")


def draft(officer: Any, org: Any, title: str = "县直机关工委建立信息报送积分制", **extra: Any) -> Article:
    return articles.save_draft(
        actor=officer, org=org, title=title, body=extra.pop("body", BODY), byline="县直机关工委", **extra
    )


def adopted(
    officer: Any, editor: Any, org: Any, title: str = "县直机关工委建立信息报送积分制", mode: str = "full"
) -> Article:
    article = articles.submit_article(actor=officer, article=draft(officer, org, title))
    return articles.adopt_article(actor=editor, article=article, adoption=mode)
