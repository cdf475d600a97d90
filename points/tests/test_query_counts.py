"""The main list pages run the same number of queries for 5 rows as for 25 (no per-row queries)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from points.models import Declaration, PointRule
from points.tests.helpers import award

MAX_QUERIES = 30  # login, session, scope, the page's own reads; constant whatever the row count


def fill(cast, n, start):
    """n members of branch_a2, each with a declaration waiting and a ledger entry."""
    for i in range(start, start + n):
        member = make_member(cast.branch_a2, f"测试{i}")
        award(member, "orglife_attendance", dt.date(2026, 3, 2))
        Declaration.objects.create(
            member=member,
            org=cast.branch_a2,
            rule=PointRule.objects.get(code="theory_study"),
            occurred_on=dt.date(2026, 3, 3),
            description="集中学习",
            declared_by=cast.dept_admin,
        )


def queries(client, path, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["page"].object_list)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("declaration_list", {"status": "declared"}),
        ("ledger", {"year": 2026}),
        ("ranking", {"year": 2026}),
        ("interviews", {"year": 2026}),
    ],
)
def test_a_list_page_costs_the_same_queries_for_5_and_25_rows(
    cast, catalogue, name, params, settings, django_assert_max_num_queries
):
    client = cast.client(cast.dept_admin)
    path = reverse(f"points:{name}")
    params = {**params, "org": cast.branch_a2.pk}
    client.get(path, params)  # warm-up: the first request of a session records last_seen
    fill(cast, 5, 0)
    few, rows_few = queries(client, path, params)
    fill(cast, 20, 5)
    many, rows_many = queries(client, path, params)
    assert (rows_few, rows_many) == (5, min(25, settings.PAGE_SIZE))
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(path, params)
