"""The members page's fixed cost: the grants come from the session's access context (accounts.context), the
chosen organization is read once per request."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Organization


def test_the_members_page_reads_no_grants_and_the_chosen_org_once(cast, django_assert_max_num_queries):
    client = cast.client(cast.dept_admin)
    params = {"org": cast.committee_a.pk, "category": "full", "page": 1}
    client.get(reverse("orgs:member_list"), params)  # the session's first write is not the point here
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("orgs:member_list"), params)
    assert response.status_code == 200 and response.context["selected"] == cast.committee_a
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert not any('FROM "accounts_rolegrant"' in sql or "auth_permission" in sql for sql in sqls)
    assert sum(sql.startswith('SELECT "orgs_organization"') for sql in sqls) == 1
    page_sql = next(sql for sql in sqls if sql.startswith('SELECT "orgs_member"."id"'))
    assert "_enc" not in page_sql and "_hash" not in page_sql  # the table shows masked values only
    # Reads: the session with its user, the chosen org, count, page (grants, permissions and the menu's
    # observer link come from the session). Then possibly the session's last_seen write, in a savepoint.
    with django_assert_max_num_queries(7):
        client.get(reverse("orgs:member_list"), params)


def test_an_org_outside_the_scope_is_not_named_on_the_page(cast):
    response = cast.client(cast.outsider).get(reverse("orgs:member_list"), {"org": cast.committee_a.pk})
    assert response.context["selected"] is None
    assert "中共示范县直属机关工作委员会" not in response.content.decode()


def test_an_unknown_org_names_nothing_and_lists_nothing(cast):
    missing = Organization.objects.order_by("-pk").first().pk + 1
    response = cast.client(cast.dept_admin).get(reverse("orgs:member_list"), {"org": missing})
    assert response.context["selected"] is None and "没有符合条件的党员" in response.content.decode()
