import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from orgs.models import RoleGrant
from orgs.roles import Role


@pytest.fixture
def admin_client(db):
    root = User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)
    client = Client()
    client.force_login(root)
    return client


def test_the_user_admin_shows_role_grants_inline(cast, admin_client):
    response = admin_client.get(f"/admin/accounts/user/{cast.secretary.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "角色授权" in page and "支部书记" in page


def test_the_user_list_filters_by_role(cast, admin_client):
    response = admin_client.get("/admin/accounts/user/", {"grants__role": Role.AUDITOR})
    assert list(response.context["cl"].result_list) == [cast.auditor]


@pytest.fixture
def security_client(cast):
    sec = User.objects.create_user("sec", password="Sec#Pass2026", must_change_password=False, is_staff=True)
    RoleGrant.objects.create(user=sec, org=cast.county, role=Role.SECURITY_ADMIN)
    client = Client()
    client.force_login(sec)
    return client


def test_a_superuser_sees_grants_but_only_the_security_admin_changes_them(cast, admin_client):
    assert admin_client.get("/admin/orgs/rolegrant/").status_code == 200
    response = admin_client.post(
        "/admin/orgs/rolegrant/add/",
        {"user": cast.viewer.pk, "org": cast.branch_b1.pk, "role": Role.OBSERVER},
    )
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(user=cast.viewer, role=Role.OBSERVER).exists()


def test_a_grant_made_in_the_admin_is_audited(cast, security_client):
    response = security_client.post(
        "/admin/orgs/rolegrant/add/",
        {"user": cast.viewer.pk, "org": cast.branch_b1.pk, "role": Role.OBSERVER},
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=cast.viewer, org=cast.branch_b1, role=Role.OBSERVER).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.GRANT)
    assert (event.actor_name, event.org_id, event.target_id) == (
        "sec",
        cast.branch_b1.pk,
        str(cast.viewer.pk),
    )


def test_an_anonymous_visitor_cannot_open_the_admin(db):
    response = Client().get("/admin/accounts/user/")
    assert response.status_code == 302
