import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginAttempt
from accounts.services import BAD_CREDENTIALS, THROTTLED
from audit.models import AuditEvent
from conftest import PASSWORD, make_user

LOGIN = reverse("accounts:login")
LOCKED = "登录失败次数过多"


def post_login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def fail_times(n: int, username: str = "secretary", ip: str = "10.0.0.1") -> None:
    client = Client(REMOTE_ADDR=ip)
    for _ in range(n):
        post_login(client, username, "Wrong#Pass1")


def test_the_login_page_is_a_chinese_card_that_fits_a_phone(db):
    page = Client().get(LOGIN).content.decode()
    assert "先锋智慧党建" in page
    assert 'name="viewport" content="width=device-width' in page
    assert "登录" in page and 'name="username"' in page and 'name="password"' in page


def test_a_correct_login_redirects_to_the_dashboard(cast):
    response = post_login(Client(), "secretary", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home:dashboard")


def test_login_rotates_the_session_key(cast):
    client = Client()
    session = client.session
    session["probe"] = 1
    session.save()
    post_login(client, "secretary", PASSWORD)
    assert client.session.session_key != session.session_key
    assert client.session["_auth_user_id"] == str(cast.secretary.pk)


def test_unknown_user_and_wrong_password_get_the_same_message(cast):
    unknown = post_login(Client(), "nobody", PASSWORD).content.decode()
    wrong = post_login(Client(), "secretary", "Wrong#Pass1").content.decode()
    assert BAD_CREDENTIALS in unknown
    assert BAD_CREDENTIALS in wrong


def test_an_inactive_user_gets_the_same_message(cast):
    cast.secretary.is_active = False
    cast.secretary.save()
    assert BAD_CREDENTIALS in post_login(Client(), "secretary", PASSWORD).content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(cast):
    fail_times(5)
    response = post_login(Client(REMOTE_ADDR="10.9.9.9"), "secretary", PASSWORD)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_four_failures_do_not_lock(cast):
    fail_times(4)
    assert post_login(Client(REMOTE_ADDR="10.0.0.1"), "secretary", PASSWORD).status_code == 302


def test_failures_for_one_account_do_not_lock_a_colleague_behind_the_same_address(cast):
    fail_times(6, username="secretary", ip="10.0.0.7")
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "viewer", PASSWORD).status_code == 302
    assert LOCKED in post_login(Client(REMOTE_ADDR="10.0.0.7"), "secretary", PASSWORD).content.decode()


def test_many_failures_from_one_address_throttle_new_guesses_but_not_known_colleagues(cast, settings):
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "viewer", PASSWORD).status_code == 302
    for i in range(settings.LOGIN_IP_MAX_FAILURES):
        fail_times(1, username=f"guess{i}", ip="10.0.0.7")
    fail_times(5, username="secretary", ip="10.0.0.7")  # refused, not counted: the address is throttled
    guess = post_login(Client(REMOTE_ADDR="10.0.0.7"), "committee_admin", "Wrong#Pass1")
    assert guess.status_code == 429
    assert THROTTLED.format(minutes=15) in guess.content.decode()
    # The colleague who logs in from the office every day still does; other addresses are untouched.
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "viewer", PASSWORD).status_code == 302
    assert post_login(Client(REMOTE_ADDR="10.0.0.8"), "secretary", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(
        username__in=["secretary", "committee_admin"], ip="10.0.0.7"
    ).exists()


def test_the_address_throttle_is_audited_and_lifts_after_the_window(cast, settings):
    for i in range(settings.LOGIN_IP_MAX_FAILURES):
        fail_times(1, username=f"guess{i}", ip="10.0.0.7")
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "secretary", PASSWORD).status_code == 429
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("pk")
    assert (event.actor_name, event.summary["reason"]) == ("secretary", "ip_throttled")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "secretary", PASSWORD).status_code == 302


def test_a_successful_login_does_not_reset_the_address_count(cast, settings):
    for i in range(settings.LOGIN_IP_MAX_FAILURES - 1):
        fail_times(1, username=f"victim{i}", ip="10.0.0.7")
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "viewer", PASSWORD).status_code == 302
    fail_times(1, username="victim", ip="10.0.0.7")
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "secretary", PASSWORD).status_code == 429


def test_the_api_token_endpoint_throttles_the_address_too(cast, settings):
    for i in range(settings.LOGIN_IP_MAX_FAILURES):
        fail_times(1, username=f"guess{i}", ip="10.0.0.7")
    response = Client(REMOTE_ADDR="10.0.0.7").post(
        "/api/v1/auth/token/",
        {"username": "secretary", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json() == {"detail": THROTTLED.format(minutes=15)}


def test_a_successful_login_resets_the_account_count(cast):
    fail_times(4, ip="10.0.0.1")
    assert post_login(Client(REMOTE_ADDR="10.0.0.2"), "secretary", PASSWORD).status_code == 302
    fail_times(1, ip="10.0.0.3")
    assert post_login(Client(REMOTE_ADDR="10.0.0.4"), "secretary", PASSWORD).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(cast):
    fail_times(5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=14), tick=False):
        assert LOCKED in post_login(Client(), "secretary", PASSWORD).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        assert post_login(Client(), "secretary", PASSWORD).status_code == 302


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure(cast):
    start = timezone.now()
    for minute in [0, 3, 6, 9, 12]:
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            fail_times(1)
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert LOCKED in post_login(Client(), "secretary", PASSWORD).content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=28), tick=False):
        assert post_login(Client(), "secretary", PASSWORD).status_code == 302


def test_refusals_while_locked_do_not_extend_the_lock(cast):
    fail_times(5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=False):
        fail_times(3)
    assert LoginAttempt.objects.filter(username="secretary").count() == 5
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        assert post_login(Client(), "secretary", PASSWORD).status_code == 302


@pytest.mark.parametrize("target", ["/orgs/", "/audit/?action=login"])
def test_login_follows_a_local_next(cast, target):
    response = post_login(Client(), "secretary", PASSWORD, next=target)
    assert response["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_ignores_a_foreign_next(cast, target):
    response = post_login(Client(), "secretary", PASSWORD, next=target)
    assert response["Location"] == reverse("home:dashboard")


def test_the_login_page_explains_a_timeout(db):
    assert "会话已超时，请重新登录" in Client().get(LOGIN + "?timeout=1").content.decode()
    assert "会话已超时" not in Client().get(LOGIN).content.decode()


def test_a_logged_in_user_visiting_login_goes_on(cast):
    assert cast.client(cast.secretary).get(LOGIN)["Location"] == reverse("home:dashboard")


def test_a_user_with_an_initial_password_is_sent_to_change_it(db):
    user = make_user("newbie")
    user.must_change_password = True
    user.save()
    client = Client()
    post_login(client, "newbie", PASSWORD)
    response = client.get(reverse("home:dashboard"))
    assert response["Location"] == reverse("accounts:password_change")


def test_logout_needs_post(cast):
    client = cast.client(cast.secretary)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_ends_the_session(cast):
    client = cast.client(cast.secretary)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert "您已安全退出" in client.get(LOGIN).content.decode()
