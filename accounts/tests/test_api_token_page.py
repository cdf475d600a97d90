"""账号安全 lists the user's own API tokens (never the key) and revokes them; the 安全管理员 revokes anyone's."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import tokens
from accounts.models import ApiToken
from audit.models import AuditEvent
from conftest import make_user
from orgs.roles import Role

PAGE = reverse("accounts:otp_status")
REVOKE_ALL = reverse("accounts:token_revoke_all")
SECURITY = reverse("accounts:security_admin")
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def revoke(token: ApiToken) -> str:
    return reverse("accounts:token_revoke", args=[token.pk])


@pytest.fixture
def security_admin(cast):
    return make_user("sec_admin", Role.SECURITY_ADMIN, cast.county)


def test_the_page_lists_the_users_tokens_with_their_times_but_not_the_key(cast):
    with time_machine.travel(START, tick=False) as clock:
        token, key = tokens.issue(user=cast.secretary)
        clock.shift(dt.timedelta(minutes=5))
        Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/organizations/")
        clock.shift(dt.timedelta(minutes=1))
        response = cast.client(cast.secretary).get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["api_tokens"]) == [token]
    # Shown in Asia/Shanghai: created 17:00, last used 17:05, expires 05-05 05:00, idle at 17:35.
    for shown in ("2026-05-04 17:00", "2026-05-04 17:05", "2026-05-05 05:00", "17:35", revoke(token)):
        assert shown in page
    assert key not in page and token.key_hash not in page


def test_dead_tokens_are_not_listed(cast):
    with time_machine.travel(START, tick=False):
        tokens.issue(user=cast.secretary)
    response = cast.client(cast.secretary).get(PAGE)
    assert list(response.context["api_tokens"]) == []
    assert "暂无有效的接口令牌" in response.content.decode()


def test_another_user_does_not_see_someones_tokens(cast):
    token, _ = tokens.issue(user=cast.secretary)
    response = cast.client(cast.viewer).get(PAGE)
    assert list(response.context["api_tokens"]) == []
    assert revoke(token) not in response.content.decode()


def test_the_user_revokes_one_token(cast):
    token, key = tokens.issue(user=cast.secretary)
    kept, _ = tokens.issue(user=cast.secretary)
    response = cast.client(cast.secretary).post(revoke(token))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert list(ApiToken.objects.all()) == [kept]
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert (event.actor_id, event.summary) == (
        cast.secretary.pk,
        {"channel": "api", "reason": "revoked", "token": token.pk},
    )


def test_the_user_revokes_all_their_tokens(cast):
    for _ in range(2):
        tokens.issue(user=cast.secretary)
    other, _ = tokens.issue(user=cast.viewer)
    assert cast.client(cast.secretary).post(REVOKE_ALL).status_code == 302
    assert list(ApiToken.objects.all()) == [other]
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT).summary["tokens"] == 2


def test_another_user_cannot_revoke_someones_token(cast):
    token, _ = tokens.issue(user=cast.secretary)
    for who in (cast.viewer, cast.dept_admin):
        assert cast.client(who).post(revoke(token)).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).exists()


def test_revoking_needs_post(cast):
    token, _ = tokens.issue(user=cast.secretary)
    client = cast.client(cast.secretary)
    assert client.get(revoke(token)).status_code == 405
    assert client.get(REVOKE_ALL).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_anonymous_is_sent_to_login(cast):
    token, _ = tokens.issue(user=cast.secretary)
    for response in (Client().get(PAGE), Client().post(revoke(token)), Client().post(REVOKE_ALL)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_security_admin_revokes_another_users_tokens(cast, security_admin):
    token, key = tokens.issue(user=cast.secretary)
    client = cast.client(security_admin)
    listing = client.get(SECURITY, {"q": "secretary"}).content.decode()
    assert 'value="revoke_tokens"' in listing
    assert client.post(SECURITY, {"username": "secretary", "action": "revoke_tokens"}).status_code == 302
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, actor_id=security_admin.pk)
    assert (event.target_id, event.summary) == (
        str(cast.secretary.pk),
        {"security": "revoke_tokens", "tokens": 1},
    )


def test_only_the_security_admin_revokes_someone_elses_tokens(cast):
    tokens.issue(user=cast.secretary)
    with pytest.raises(PermissionDenied):
        tokens.revoke_all(actor=cast.dept_admin, user=cast.secretary)
    assert (
        cast.client(cast.dept_admin)
        .post(SECURITY, {"username": "secretary", "action": "revoke_tokens"})
        .status_code
        == 404
    )
    assert ApiToken.objects.count() == 1
