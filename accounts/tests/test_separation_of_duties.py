"""三员分立: system, security and audit administrators are distinct; the security admin's page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import otp
from accounts.models import LoginAttempt, TOTPDevice, User
from accounts.services import grant_role, is_locked, reset_second_factor, unlock_account
from audit.models import AuditEvent
from conftest import make_user
from orgs.models import RoleGrant
from orgs.roles import Role

URL = reverse("accounts:security_admin")


@pytest.fixture
def security_admin(cast):
    return make_user("sec_admin", Role.SECURITY_ADMIN, cast.county)


@pytest.mark.parametrize(
    ("held", "wanted"),
    [
        (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN),
        (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
        (Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN),
        (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN),
    ],
)
def test_grant_role_refuses_to_join_the_system_admin_with_security_or_audit(cast, held, wanted):
    user = make_user("someone", held, cast.county)
    with pytest.raises(ValidationError, match="三员分立"):
        grant_role(actor=cast.dept_admin, user=user, org=cast.county, role=wanted)
    assert not RoleGrant.objects.filter(user=user, role=wanted).exists()


def test_a_superuser_counts_as_a_system_admin(cast):
    root = User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)
    with pytest.raises(ValidationError):
        grant_role(actor=root, user=root, org=cast.county, role=Role.AUDIT_ADMIN)


def test_unrelated_roles_combine_freely(cast):
    user = make_user("someone", Role.SECURITY_ADMIN, cast.county)
    grant_role(actor=cast.dept_admin, user=user, org=cast.county, role=Role.AUDIT_ADMIN)
    grant_role(actor=cast.dept_admin, user=user, org=cast.county, role=Role.VIEWER)
    assert user.grants.count() == 3


def test_the_admin_refuses_a_conflicting_grant_too(cast):
    sec = make_user("sec", Role.SECURITY_ADMIN, cast.county, is_staff=True)
    user = make_user("someone", Role.SYSTEM_ADMIN, cast.county)
    client = Client()
    client.force_login(sec)
    response = client.post(
        "/admin/orgs/rolegrant/add/", {"user": user.pk, "org": cast.county.pk, "role": Role.AUDIT_ADMIN}
    )
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    assert not RoleGrant.objects.filter(user=user, role=Role.AUDIT_ADMIN).exists()


def test_all_admin_roles_must_use_two_factor_authentication(cast):
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        assert otp.is_required(make_user(f"u_{role}", role, cast.county))


# ---- the security admin's page, four ways --------------------------------------------------------


def test_the_security_admin_sees_the_page(cast, security_admin):
    response = cast.client(security_admin).get(URL)
    assert response.status_code == 200 and "安全管理" in response.content.decode()


@pytest.mark.parametrize("who", ["viewer", "outsider", "dept_admin", "auditor", "member_user"])
def test_everyone_else_gets_404_on_reads_and_writes(cast, who):
    client = cast.client(getattr(cast, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"username": "secretary", "action": "unlock"}).status_code == 404


def test_a_superuser_is_no_security_admin(cast):
    root = User.objects.create_superuser("root", password="Root#Pass2026", must_change_password=False)
    assert cast.client(root).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(db):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_security_admin_lists_and_unlocks_a_locked_account(cast, security_admin, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        LoginAttempt.objects.create(username="secretary", ip="10.0.0.9", created_at=timezone.now())
    client = cast.client(security_admin)
    assert "secretary" in client.get(URL).context["locked"]
    assert client.post(URL, {"username": "secretary", "action": "unlock"}).status_code == 302
    assert not is_locked(username="secretary")
    assert AuditEvent.objects.filter(actor_id=security_admin.pk, summary__security="unlock").exists()


def test_the_security_admin_resets_a_lost_authenticator(cast, security_admin):
    otp.pending_device(cast.dept_admin)
    TOTPDevice.objects.filter(user=cast.dept_admin).update(confirmed_at=timezone.now())
    client = cast.client(security_admin)
    assert "dept_admin" in client.get(URL, {"q": "dept"}).content.decode()
    client.post(URL, {"username": "dept_admin", "action": "reset_2fa"})
    assert not TOTPDevice.objects.filter(user=cast.dept_admin).exists()
    assert AuditEvent.objects.filter(target_id=str(cast.dept_admin.pk), summary__2fa="removed").exists()


def test_only_a_security_admin_may_unlock_or_reset(cast):
    with pytest.raises(PermissionDenied):
        unlock_account(actor=cast.dept_admin, user=cast.secretary)
    with pytest.raises(PermissionDenied):
        reset_second_factor(actor=cast.dept_admin, user=cast.secretary)


def test_the_menu_shows_security_links_by_role(cast, security_admin):
    page = cast.client(security_admin).get(reverse("accounts:otp_status")).content.decode()
    assert URL in page and reverse("audit:event_list") not in page
    dept = cast.client(cast.dept_admin).get(reverse("accounts:otp_status")).content.decode()
    assert URL not in dept and reverse("audit:event_list") not in dept
