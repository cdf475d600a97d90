"""The access context kept in the session (accounts.context): one query before a page's own, and a stale
context is never used — every change to grants, permissions, observer status or the account is seen on
the next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.context import CONTEXT_KEY, bump_access_version
from accounts.models import User
from ops.models import Session
from orgs.models import RoleGrant
from orgs.roles import Role

pytestmark = pytest.mark.django_db


def _queries_before_view(client: Any, url: str) -> list[str]:
    """The SQL a request runs before the first query that is not the session read."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries]


def test_a_logged_in_request_reads_session_and_user_in_one_query(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("points:home")
    client.get(url)  # builds the context once
    sql = _queries_before_view(client, url)
    assert "xianfeng_session" in sql[0] and "accounts_user" in sql[0]
    assert not any(
        "accounts_rolegrant" in q or "auth_permission" in q or "observers_observer" in q for q in sql
    )
    assert not any('FROM "accounts_user"' in q for q in sql[1:])
    assert Session.objects.get(session_key=client.session.session_key).user_id == cast.secretary.pk
    assert client.session[CONTEXT_KEY]["v"] == User.objects.get(pk=cast.secretary.pk).access_version


def test_a_new_grant_is_seen_on_the_next_request(cast: Any) -> None:
    client = cast.client(cast.outsider)
    url = reverse("orglife:plan_branch", args=[cast.branch_a1.pk])
    assert client.get(url).status_code == 404
    RoleGrant.objects.create(user=cast.outsider, org=cast.branch_a1, role=Role.BRANCH_SECRETARY)
    assert client.get(url).status_code == 200


def test_a_deleted_grant_is_seen_on_the_next_request(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("orglife:plan_branch", args=[cast.branch_a1.pk])
    assert client.get(url).status_code == 200
    RoleGrant.objects.filter(user=cast.secretary).delete()
    assert client.get(url).status_code == 404


def test_bulk_grant_writes_take_effect_through_bump_access_version(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("orglife:plan_branch", args=[cast.branch_a1.pk])
    assert client.get(url).status_code == 200
    RoleGrant.objects.filter(user=cast.secretary).update(org=cast.branch_b1)  # no signal: stale until bumped
    bump_access_version([cast.secretary.pk])
    assert client.get(url).status_code == 404


def test_permissions_given_directly_or_through_a_group_are_seen(cast: Any) -> None:
    client = cast.client(cast.committee_admin)
    client.get(reverse("points:home"))
    perm = Permission.objects.get(codename="unmask_member")
    assert not client.session[CONTEXT_KEY]["perms"]["user"].count("orgs.unmask_member")
    cast.committee_admin.user_permissions.add(perm)
    client.get(reverse("points:home"))
    assert "orgs.unmask_member" in client.session[CONTEXT_KEY]["perms"]["user"]

    group = Group.objects.create(name="解密")
    group.user_set.add(cast.viewer)
    viewer = cast.client(cast.viewer)
    viewer.get(reverse("points:home"))
    assert viewer.session[CONTEXT_KEY]["perms"]["group"] == []
    group.permissions.add(perm)
    viewer.get(reverse("points:home"))
    assert "orgs.unmask_member" in viewer.session[CONTEXT_KEY]["perms"]["group"]


def test_a_deactivated_account_is_logged_out_on_the_next_request(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("points:home")
    assert client.get(url).status_code == 200
    User.objects.filter(pk=cast.secretary.pk).update(is_active=False)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_password_changed_elsewhere_ends_the_session(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("points:home")
    assert client.get(url).status_code == 200
    user = User.objects.get(pk=cast.secretary.pk)
    user.set_password("另一个密码Xf@2026")
    user.save()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_saving_the_account_bumps_its_version(cast: Any) -> None:
    before = User.objects.get(pk=cast.viewer.pk).access_version
    cast.viewer.display_name = "新名字"
    cast.viewer.save(update_fields=["display_name"])
    assert User.objects.get(pk=cast.viewer.pk).access_version == before + 1
