import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory

from accounts.models import LoginAttempt, User
from audit.models import AuditEvent
from audit.services import record_event


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)


@pytest.fixture
def event(db):
    return record_event(actor=None, actor_name="someone", action=AuditEvent.Action.LOGIN_FAILED)


def test_even_a_superuser_may_not_add_change_or_delete_events(superuser):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_lists_and_searches_events(superuser, event):
    client = Client()
    client.force_login(superuser)
    response = client.get("/admin/audit/auditevent/", {"q": "someone", "action__exact": "login_failed"})
    assert response.status_code == 200
    assert "someone" in response.content.decode()


def test_the_admin_change_page_is_read_only(superuser, event):
    client = Client()
    client.force_login(superuser)
    url = f"/admin/audit/auditevent/{event.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"actor_name": "x"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "someone"


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
