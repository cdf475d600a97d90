"""orgs.pagination.ShortListPaginator: a list shorter than a page costs one query, longer ones page as Django's."""

from __future__ import annotations

from typing import Any

import pytest

from orgs.models import Organization
from orgs.pagination import paginate

pytestmark = pytest.mark.django_db


def test_a_short_first_page_needs_no_count(cast: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        page = paginate(Organization.objects.order_by("path"), 20, None)
        rows = list(page.object_list)
    assert page.paginator.count == len(rows) == Organization.objects.count()
    assert page.number == 1 and not page.has_next() and page.elided_range == [1]


@pytest.mark.parametrize("number", [None, "1", "2", "9", "x"])
def test_longer_lists_page_as_django_does(cast: Any, number: Any) -> None:
    qs = Organization.objects.order_by("path")
    total = qs.count()
    page = paginate(qs, 3, number)
    expected = {None: 1, "1": 1, "2": 2, "9": -(-total // 3), "x": 1}[number]
    assert page.number == expected and page.paginator.count == total
    assert [o.pk for o in page.object_list] == [o.pk for o in qs[(expected - 1) * 3 : expected * 3]]
