"""The session read (ops.sessions) with its signature verified once per stored string: a session that was
read valid before is still refused once it is tampered with, expired, logged out or signed with a key that
is no longer the site's, and each request gets its own copy of the data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.context import CONTEXT_KEY
from ops.models import Session
from ops.sessions import SessionStore

pytestmark = pytest.mark.django_db

PAGE = "points:home"


def _signed_in(cast: Any) -> tuple[Client, str]:
    client = cast.client(cast.secretary)
    assert client.get(reverse(PAGE)).status_code == 200  # the stored string is now verified and cached
    return client, client.cookies["sessionid"].value


def _is_sent_to_login(client: Client) -> bool:
    response = client.get(reverse(PAGE))
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_tampered_session_reads_as_anonymous(cast: Any, caplog: pytest.LogCaptureFixture) -> None:
    client, key = _signed_in(cast)
    row = Session.objects.get(session_key=key)
    payload, _, signature = row.session_data.rpartition(":")
    forged = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    Session.objects.filter(session_key=key).update(session_data=forged)
    assert _is_sent_to_login(client)
    assert "Session data corrupted" in caplog.text


def test_another_users_data_under_a_copied_signature_reads_as_anonymous(cast: Any) -> None:
    client, key = _signed_in(cast)
    row = Session.objects.get(session_key=key)
    store = SessionStore()
    data = store.decode(row.session_data)
    data[SESSION_KEY] = str(cast.dept_admin.pk)
    _, _, signature = row.session_data.rpartition(":")
    unsigned = store.encode(data).rpartition(":")[0]
    Session.objects.filter(session_key=key).update(session_data=f"{unsigned}:{signature}")
    assert _is_sent_to_login(client)


def test_an_expired_session_reads_as_anonymous(cast: Any) -> None:
    client, key = _signed_in(cast)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert _is_sent_to_login(client)


def test_a_session_cookie_replayed_after_logout_reads_as_anonymous(cast: Any) -> None:
    client, key = _signed_in(cast)
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = key
    assert _is_sent_to_login(replay)


def test_a_session_signed_with_a_retired_key_reads_as_anonymous(cast: Any) -> None:
    client, _ = _signed_in(cast)
    with override_settings(SECRET_KEY="a-new-secret-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[]):
        assert _is_sent_to_login(client)


def test_each_read_gets_its_own_copy_of_the_data(cast: Any) -> None:
    _, key = _signed_in(cast)
    stored = Session.objects.get(session_key=key).session_data
    store = SessionStore()
    first = store.decode(stored)
    first[CONTEXT_KEY]["grants"].clear()
    first["extra"] = 1
    second = store.decode(stored)
    assert "extra" not in second and second[CONTEXT_KEY]["grants"]
