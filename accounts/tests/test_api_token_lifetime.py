"""API tokens expire: an absolute lifetime, an idle timeout, a last use noted at most once a minute."""

import datetime as dt

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import tokens
from accounts.models import ApiToken
from audit.models import AuditEvent
from conftest import PASSWORD

URL = "/api/v1/organizations/"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def call(key: str):
    return Client(headers={"Authorization": f"Token {key}"}).get(URL)


def token_updates(ctx: CaptureQueriesContext) -> int:
    return sum(
        1 for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
    )


def test_the_token_endpoint_says_when_the_token_expires(cast, settings):
    with time_machine.travel(START, tick=False):
        response = Client().post(
            "/api/v1/auth/token/",
            {"username": "secretary", "password": PASSWORD},
            content_type="application/json",
        )
    body = response.json()
    assert response.status_code == 200
    assert body["expires_at"].startswith("2026-05-04T")  # 12 hours on, in the site's time zone
    assert ApiToken.objects.get().expires_at == START + dt.timedelta(hours=settings.API_TOKEN_HOURS)
    assert body["idle_minutes"] == settings.API_TOKEN_IDLE_MINUTES == 30


def test_a_token_used_every_20_minutes_dies_at_its_absolute_expiry(cast, settings):
    settings.API_TOKEN_HOURS = 2
    with time_machine.travel(START, tick=False) as clock:
        _, key = tokens.issue(user=cast.secretary)
        for _ in range(5):  # 0:20 .. 1:40
            clock.shift(dt.timedelta(minutes=20))
            assert call(key).status_code == 200
        clock.shift(dt.timedelta(minutes=20))  # 2:00
        response = call(key)
    assert response.status_code == 401
    assert response.json() == {"detail": tokens.EXPIRED}
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert (event.actor_id, event.summary["reason"]) == (cast.secretary.pk, "token_expired")
    assert call(key).json() == {"detail": tokens.INVALID}  # gone: the next try is plainly invalid


def test_a_token_left_idle_longer_than_the_timeout_dies(cast):
    with time_machine.travel(START, tick=False) as clock:
        _, key = tokens.issue(user=cast.secretary)
        clock.shift(dt.timedelta(minutes=29))
        assert call(key).status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 29 minutes after the last use: still alive
        assert call(key).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = call(key)
    assert response.status_code == 401
    assert response.json() == {"detail": tokens.IDLE}
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert (event.actor_id, event.summary["reason"]) == (cast.secretary.pk, "token_idle")


def test_an_unused_token_dies_after_the_idle_timeout(cast):
    with time_machine.travel(START, tick=False) as clock:
        _, key = tokens.issue(user=cast.secretary)
        clock.shift(dt.timedelta(minutes=31))
        assert call(key).status_code == 401


def test_the_last_use_is_written_at_most_once_a_minute(cast):
    with time_machine.travel(START, tick=False) as clock:
        token, key = tokens.issue(user=cast.secretary)
        with CaptureQueriesContext(connection) as first:
            assert call(key).status_code == 200
        with CaptureQueriesContext(connection) as soon:
            clock.shift(dt.timedelta(seconds=59))
            assert call(key).status_code == 200
            assert call(key).status_code == 200
        clock.shift(dt.timedelta(seconds=1))
        with CaptureQueriesContext(connection) as later:
            assert call(key).status_code == 200
    assert (token_updates(first), token_updates(soon), token_updates(later)) == (1, 0, 1)
    token.refresh_from_db()
    assert token.last_used_at == START + dt.timedelta(seconds=60)


def test_an_unknown_key_is_a_401_in_chinese(db):
    response = call("0" * 40)
    assert response.status_code == 401
    assert response.json() == {"detail": tokens.INVALID}


def test_only_the_hash_of_the_key_is_stored(cast):
    token, key = tokens.issue(user=cast.secretary)
    assert token.key_hash == ApiToken.hash(key) != key
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_issuing_a_token_clears_the_users_dead_ones(cast):
    with time_machine.travel(START, tick=False):
        old, _ = tokens.issue(user=cast.secretary)
    tokens.issue(user=cast.secretary)
    assert not ApiToken.objects.filter(pk=old.pk).exists()
    assert ApiToken.objects.filter(user=cast.secretary).count() == 1


def test_revoking_all_tokens_stops_them_and_is_audited(cast):
    keys = [tokens.issue(user=cast.secretary)[1] for _ in range(2)]
    _, other = tokens.issue(user=cast.viewer)
    assert tokens.revoke_all(actor=cast.secretary, user=cast.secretary) == 2
    assert [call(key).status_code for key in keys] == [401, 401]
    assert call(other).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert (event.actor_id, event.summary) == (
        cast.secretary.pk,
        {"channel": "api", "reason": "revoked", "tokens": 2},
    )


def test_a_deactivated_users_token_stops_working(cast):
    _, key = tokens.issue(user=cast.secretary)
    cast.secretary.is_active = False
    cast.secretary.save()
    assert call(key).status_code == 401
