"""The 三员 user pages: the system administrator manages accounts, the security administrator grants roles,
the audit administrator only reads the audit log; everybody else gets 404."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from accounts.models import ApiToken, User
from accounts.services.users import create_account, grant_role_on_node, reset_password
from audit.models import AuditEvent
from conftest import make_user
from notifications.models import Message
from notifications.services import plain_body
from orgs.models import RoleGrant
from orgs.roles import Role


@pytest.fixture
def admins(cast):
    return {
        "system": make_user("sys", Role.SYSTEM_ADMIN, cast.county),
        "security": make_user("sec", Role.SECURITY_ADMIN, cast.county),
        "audit": make_user("aud", Role.AUDIT_ADMIN, cast.county),
    }


def _pages(cast):
    target = cast.viewer
    grant = RoleGrant.objects.get(user=target)
    return {
        "list": ("GET", reverse("accounts:user_list")),
        "create": ("GET", reverse("accounts:user_create")),
        "detail": ("GET", reverse("accounts:user_detail", args=[target.pk])),
        "active": ("POST", reverse("accounts:user_active", args=[target.pk])),
        "password": ("POST", reverse("accounts:user_reset_password", args=[target.pk])),
        "grant": ("POST", reverse("accounts:user_grant", args=[target.pk])),
        "revoke": ("POST", reverse("accounts:grant_revoke", args=[grant.pk])),
        "runs": ("GET", reverse("accounts:provision_list")),
    }


def _status(client, method, url):
    return (client.post(url, {}) if method == "POST" else client.get(url)).status_code


# What each caller gets: 三员 separation on every page (403: the other administrator's action).
EXPECTED = {
    "system": {"list": 200, "create": 200, "detail": 200, "active": 302, "password": 200, "grant": 403,
               "revoke": 403, "runs": 200},
    "security": {"list": 200, "create": 403, "detail": 200, "active": 403, "password": 403, "grant": 200,
                 "revoke": 302, "runs": 404},
    "audit": dict.fromkeys(("list", "create", "detail", "active", "password", "grant", "revoke", "runs"), 404),
}  # fmt: skip


@pytest.mark.parametrize("who", ["system", "security", "audit"])
def test_each_administrator_gets_only_their_own_duty(cast, admins, who):
    client = cast.client(admins[who])
    got = {name: _status(client, method, url) for name, (method, url) in _pages(cast).items()}
    assert got == EXPECTED[who]


@pytest.mark.parametrize("who", ["viewer", "outsider", "dept_admin", "auditor", "member_user", "secretary"])
def test_everybody_else_gets_404(cast, who):
    client = cast.client(getattr(cast, who))
    for method, url in _pages(cast).values():
        assert _status(client, method, url) == 404, url


def test_anonymous_is_sent_to_login(cast):
    for method, url in _pages(cast).values():
        response = cast.client(None).post(url) if method == "POST" else cast.client(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_searches_and_pages(cast, admins, settings):
    settings.PAGE_SIZE = 3
    client = cast.client(admins["system"])
    page = client.get(reverse("accounts:user_list"), {"q": "sec"}).content.decode()
    assert "secretary" in page and "sec" in page and "viewer" not in page
    by_phone = client.get(reverse("accounts:user_list"), {"q": "13955551234"}).content.decode()
    assert "member_user" in by_phone
    second = client.get(reverse("accounts:user_list"), {"page": 2}).content.decode()
    assert "2/" in second


def test_the_system_admin_creates_an_account_and_sees_its_password_once(cast, admins):
    client = cast.client(admins["system"])
    response = client.post(
        reverse("accounts:user_create"), {"username": "wang.li", "display_name": "王立", "member_id": ""}
    )
    user = User.objects.get(username="wang.li")
    password = response.context["password"]
    assert "no-store" in response["Cache-Control"] and password in response.content.decode()
    assert user.must_change_password and check_password(password, user.password)
    assert AuditEvent.objects.filter(action="create", target_id=str(user.pk)).exists()
    assert password not in client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()


def test_create_errors_are_in_chinese_and_create_nothing(cast, admins):
    client = cast.client(admins["system"])
    response = client.post(reverse("accounts:user_create"), {"username": "Viewer", "display_name": "某人"})
    assert "该用户名已被使用" in response.content.decode()
    response = client.post(reverse("accounts:user_create"), {"username": "new_one", "display_name": ""})
    assert "该字段是必填项" in response.content.decode()
    response = client.post(reverse("accounts:user_create"), {"username": "a b", "display_name": "某人"})
    assert "用户名须为" in response.content.decode()
    assert User.objects.count() == 10  # the cast and the three administrators


def test_an_account_for_a_member_gets_its_password_by_sms_encrypted_in_the_outbox(cast, admins):
    member = cast.member_b1
    user, shown = create_account(
        actor=admins["system"], username="zhao", display_name="赵红梅", member=member
    )
    assert shown == ""
    message = Message.objects.get(recipient=user)
    assert message.is_secret and "初始密码" not in message.body
    password = plain_body(message).split("初始密码：")[1].split("。")[0]
    assert check_password(password, User.objects.get(pk=user.pk).password)
    outbox = cast.client(cast.dept_admin).get(reverse("notifications:outbox")).content.decode()
    assert password not in outbox


def test_disable_and_enable_are_audited_and_end_api_tokens(cast, admins):
    from accounts import tokens

    tokens.issue(user=cast.viewer)
    client = cast.client(admins["system"])
    client.post(reverse("accounts:user_active", args=[cast.viewer.pk]), {"active": "0"})
    cast.viewer.refresh_from_db()
    assert not cast.viewer.is_active and not ApiToken.objects.filter(user=cast.viewer).exists()
    client.post(reverse("accounts:user_active", args=[cast.viewer.pk]), {"active": "1"})
    cast.viewer.refresh_from_db()
    assert cast.viewer.is_active
    changes = AuditEvent.objects.filter(action="update", target_id=str(cast.viewer.pk))
    assert [e.summary["is_active"] for e in changes.order_by("pk")] == [[True, False], [False, True]]


def test_reset_password_forces_a_change_and_old_password_stops_working(cast, admins):
    new = reset_password(actor=admins["system"], user=cast.viewer)
    cast.viewer.refresh_from_db()
    assert new and cast.viewer.must_change_password and check_password(new, cast.viewer.password)
    assert not check_password("Xf#Test2026pass", cast.viewer.password)


def test_no_administrator_acts_on_their_own_account(cast, admins):
    client = cast.client(admins["system"])
    assert client.post(reverse("accounts:user_active", args=[admins["system"].pk])).status_code == 403
    sec = cast.client(admins["security"])
    response = sec.post(
        reverse("accounts:user_grant", args=[admins["security"].pk]),
        {"role": "dept_admin", "org_code": "C0001"},
    )
    assert response.status_code == 403


def test_the_security_admin_grants_and_revokes_roles_on_nodes(cast, admins):
    client = cast.client(admins["security"])
    url = reverse("accounts:user_grant", args=[cast.viewer.pk])
    response = client.post(url, {"role": Role.PATROL, "org_code": "C0002"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=cast.viewer, role=Role.PATROL)
    assert grant.org == cast.committee_a
    assert AuditEvent.objects.filter(action="grant", target_id=str(cast.viewer.pk)).exists()
    client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="delete", summary__via="user_admin").exists()


def test_grant_errors_are_in_chinese(cast, admins):
    client = cast.client(admins["security"])
    url = reverse("accounts:user_grant", args=[cast.viewer.pk])
    assert "未找到该组织代码" in client.post(url, {"role": Role.PATROL, "org_code": "X9"}).content.decode()
    twice = client.post(url, {"role": Role.VIEWER, "org_code": "C0002"}).content.decode()
    assert "已有该角色" in twice
    url = reverse("accounts:user_grant", args=[admins["system"].pk])
    conflict = client.post(url, {"role": Role.AUDIT_ADMIN, "org_code": "C0001"}).content.decode()
    assert "三员分立" in conflict
    assert not RoleGrant.objects.filter(user=admins["system"], role=Role.AUDIT_ADMIN).exists()


def test_the_services_refuse_the_other_duty_too(cast, admins):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_account(actor=admins["security"], username="x_user", display_name="某人")
    with pytest.raises(PermissionDenied):
        grant_role_on_node(actor=admins["system"], user=cast.viewer, org=cast.county, role=Role.PATROL)
    with pytest.raises(PermissionDenied):
        reset_password(actor=admins["audit"], user=cast.viewer)


def test_a_member_logs_in_with_their_phone_and_attempts_keep_it_masked(cast):
    from django.test import Client

    from accounts.models import LoginAttempt

    user = cast.member_user
    user.set_password("Xf#Phone2026")
    user.save()
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "13955551234", "password": "Xf#Phone2026"})
    assert response.status_code == 302
    client.post(reverse("accounts:login"), {"username": "13000000000", "password": "wrong"})
    names = set(LoginAttempt.objects.values_list("username", flat=True))
    assert "member_user" in names and not any(n.startswith("1300000") and "*" not in n for n in names)


def test_the_list_costs_the_same_queries_for_more_users(cast, admins, django_assert_max_num_queries):
    client = cast.client(admins["system"])
    client.get(reverse("accounts:user_list"))
    for i in range(15):
        make_user(f"extra{i}", Role.MEMBER, cast.branch_a1, member=None)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:user_list"))
    assert "extra14" in response.content.decode()
