"""An adopted article writes its author's points through the points services (the configurable item)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bulletins import defaults
from bulletins.services import articles
from bulletins.tests.conftest import adopted, draft
from orgs.models import RoleGrant
from orgs.roles import Role
from points.models import LedgerEntry
from points.tests.conftest import make_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_officer(cast: Any) -> Any:
    """李建国 (a party member) is also his working committee's 信息员."""
    RoleGrant.objects.create(user=cast.member_user, org=cast.committee_a, role=Role.INFO_OFFICER)
    make_catalogue(cast.county)
    return cast.member_user


def test_adoption_awards_the_author_once_and_the_year_cap_holds(
    cast: Any, editor: Any, member_officer: Any
) -> None:
    first = adopted(member_officer, editor, cast.committee_a, "县直机关工委推行信息员积分制")
    entries = LedgerEntry.objects.filter(member=cast.member_a1, item_code=defaults.POINTS_ITEM)
    assert [(e.points, e.source_type, e.source_id) for e in entries] == [
        (Decimal("2"), defaults.POINTS_SOURCE, str(first.pk))
    ]
    assert entries.get().note.endswith("》全文采用")
    for n in range(6):  # 2 points each, capped at 10 a year by the catalogue's item
        adopted(member_officer, editor, cast.committee_a, f"县直机关工委信息{n}", mode="brief")
    assert sum(e.points for e in entries.all()) == Decimal("10")


def test_no_points_for_a_non_member_or_when_the_setting_turns_them_off(
    cast: Any, officer: Any, editor: Any, member_officer: Any, settings: Any
) -> None:
    adopted(officer, editor, cast.committee_a)  # the officer account is no party member
    assert not LedgerEntry.objects.filter(item_code=defaults.POINTS_ITEM).exists()
    settings.BULLETINS_POINTS_ITEM = ""
    adopted(member_officer, editor, cast.committee_a, "另一篇信息")
    assert not LedgerEntry.objects.filter(item_code=defaults.POINTS_ITEM).exists()


def test_a_returned_article_earns_nothing(cast: Any, editor: Any, member_officer: Any) -> None:
    article = articles.submit_article(actor=member_officer, article=draft(member_officer, cast.committee_a))
    articles.return_article(actor=editor, article=article, reason="请补充数据")
    assert not LedgerEntry.objects.filter(member=cast.member_a1).exists()
