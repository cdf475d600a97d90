import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent

PAGE = reverse("accounts:password_change")


def test_a_session_idle_for_31_minutes_is_sent_to_login_with_timeout(cast):
    client = cast.client(cast.secretary)
    assert client.get(PAGE).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31), tick=False):
        response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?timeout=1&next=")
    assert "_auth_user_id" not in client.session


def test_a_session_idle_for_29_minutes_stays_in(cast):
    client = cast.client(cast.secretary)
    client.get(PAGE)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=29), tick=False):
        assert client.get(PAGE).status_code == 200


def test_activity_keeps_the_session_alive(cast):
    client = cast.client(cast.secretary)
    start = timezone.now()
    client.get(PAGE)
    for minute in (20, 40, 60):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            assert client.get(PAGE).status_code == 200


def test_an_idle_timeout_is_audited_as_a_logout(cast):
    client = cast.client(cast.secretary)
    client.get(PAGE)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31), tick=False):
        client.get(PAGE)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert event.summary == {"reason": "idle"}


def test_an_htmx_request_after_timeout_navigates_the_whole_page(cast):
    client = cast.client(cast.secretary)
    client.get(PAGE)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31), tick=False):
        response = client.get(PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?timeout=1")


def test_the_api_answers_401_after_a_session_timeout(cast):
    client = cast.client(cast.secretary)
    client.get(PAGE)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31), tick=False):
        response = client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json()["detail"] == "会话已超时，请重新登录"


def test_last_seen_is_rewritten_at_most_once_a_minute_and_still_times_out(cast):
    client = cast.client(cast.secretary)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(PAGE)
    first = client.session["last_seen"]
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        assert client.get(PAGE).status_code == 200
    assert client.session["last_seen"] == first  # no session write for this page
    with time_machine.travel(start + dt.timedelta(seconds=70), tick=False):
        client.get(PAGE)
    assert client.session["last_seen"] == first + 70
    # Idle 30 minutes and a bit after the last recorded activity: out, at most a minute early.
    with time_machine.travel(start + dt.timedelta(seconds=70 + 30 * 60 + 1), tick=False):
        assert client.get(PAGE).status_code == 302
