import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory

from accounts.models import LoginAttempt, User
from audit.models import AuditEvent
from audit.services import record_event
from conftest import make_org
from orgs.models import RoleGrant
from orgs.roles import Role


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)


@pytest.fixture
def audit_admin(db):
    """The 审计管理员, a staff user: the only one the admin shows the audit trail to."""
    user = User.objects.create_user(
        "audit_admin", password="Audit#Pass2026", is_staff=True, must_change_password=False
    )
    RoleGrant.objects.create(
        user=user, org=make_org(None, "县委", "committee", "C9001"), role=Role.AUDIT_ADMIN
    )
    return user


@pytest.fixture
def event(db):
    return record_event(actor=None, actor_name="someone", action=AuditEvent.Action.LOGIN_FAILED)


@pytest.mark.parametrize("who", ["superuser", "audit_admin"])
def test_nobody_may_add_change_or_delete_events_in_the_admin(request, who):
    model_admin = admin.site._registry[AuditEvent]
    req = RequestFactory().get("/admin/")
    req.user = request.getfixturevalue(who)
    assert not model_admin.has_add_permission(req)
    assert not model_admin.has_change_permission(req)
    assert not model_admin.has_delete_permission(req)
    assert "delete_selected" not in model_admin.get_actions(req)


def test_only_the_audit_admin_views_the_trail_in_the_admin_not_even_a_superuser(superuser, audit_admin):
    model_admin = admin.site._registry[AuditEvent]
    req = RequestFactory().get("/admin/")
    req.user = superuser
    assert not model_admin.has_view_permission(req)
    req.user = audit_admin
    assert model_admin.has_view_permission(req)


def test_the_admin_lists_and_searches_events(audit_admin, event):
    client = Client()
    client.force_login(audit_admin)
    response = client.get("/admin/audit/auditevent/", {"q": "someone", "action__exact": "login_failed"})
    assert response.status_code == 200
    assert "someone" in response.content.decode()


def test_a_superuser_cannot_open_the_trail_in_the_admin(superuser, event):
    client = Client()
    client.force_login(superuser)
    assert client.get("/admin/audit/auditevent/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 403


@pytest.mark.parametrize("who", ["superuser", "audit_admin"])
def test_the_admin_change_and_delete_pages_refuse_everyone(request, who, event):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    url = f"/admin/audit/auditevent/{event.pk}/change/"
    assert client.post(url, {"actor_name": "x"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(
        "/admin/audit/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    ).status_code in (200, 302, 403)
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "someone"


def test_the_audit_admin_change_page_is_read_only(audit_admin, event):
    client = Client()
    client.force_login(audit_admin)
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_granting_every_permission_still_gives_no_delete(db, event):
    staff = User.objects.create_user(
        "staff", password="Staff#Pass2026", is_staff=True, must_change_password=False
    )
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="audit"))
    client = Client()
    client.force_login(staff)
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_login_attempts_are_read_only_too(superuser):
    LoginAttempt.objects.create(username="x", ip="10.0.0.1", created_at="2026-01-01T00:00:00+08:00")
    client = Client()
    client.force_login(superuser)
    assert client.get("/admin/accounts/loginattempt/").status_code == 200
    assert client.get("/admin/accounts/loginattempt/add/").status_code == 403
    model_admin = admin.site._registry[LoginAttempt]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
