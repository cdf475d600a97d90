"""TOTP two-factor authentication: required for admin roles, optional for others, replay-proof, lockout."""

import base64
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import otp
from accounts.models import LoginAttempt, RecoveryCode, TOTPDevice
from accounts.services import BAD_CREDENTIALS, OTP_BAD
from conftest import PASSWORD

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp_verify")
SETUP = reverse("accounts:otp_setup")
STATUS = reverse("accounts:otp_status")
TOKEN = "/api/v1/auth/token/"
NOW = dt.datetime(2026, 5, 4, 9, 0, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def enrol(user) -> str:
    device = otp.pending_device(user)
    secret = otp.device_secret(device)
    with time_machine.travel(NOW - dt.timedelta(minutes=5), tick=False):
        assert otp.confirm_enrolment(user=user, code=otp.totp(secret)) is not None
    return secret


def password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ---- the algorithm -----------------------------------------------------------------------------


def test_codes_match_the_rfc_6238_sha1_test_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert otp.totp(secret, at=59) == "287082"  # RFC: 94287082 (8 digits)
    assert otp.totp(secret, at=1111111109) == "081804"  # RFC: 07081804
    assert otp.totp(secret, at=2000000000) == "279037"  # RFC: 69279037


def test_a_code_of_the_neighbouring_step_passes_but_not_two_steps_away():
    secret = otp.generate_secret()
    now = NOW.timestamp()
    assert otp.match_step(secret, otp.totp(secret, now - 30), after=None, at=now) is not None
    assert otp.match_step(secret, otp.totp(secret, now + 30), after=None, at=now) is not None
    assert otp.match_step(secret, otp.totp(secret, now - 60), after=None, at=now) is None


def test_the_uri_carries_issuer_account_and_secret():
    uri = otp.provisioning_uri("ABCDEFGH", "dept_admin")
    assert uri.startswith("otpauth://totp/")
    assert "dept_admin" in uri and "secret=ABCDEFGH" in uri and "period=30" in uri and "digits=6" in uri


# ---- forced enrolment for admins ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["dept_admin", "committee_admin", "auditor"])
def test_an_admin_without_an_authenticator_must_enrol_before_the_session_is_logged_in(cast, who):
    client = Client()
    response = password_step(client, who)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert not logged_in(client)
    assert client.get(reverse("home:dashboard")).status_code == 302  # still anonymous


def test_a_superuser_must_use_two_factor_authentication_too(cast):
    from accounts.models import User

    User.objects.create_superuser("root", password=PASSWORD, must_change_password=False)
    response = password_step(Client(), "root")
    assert response["Location"].startswith(SETUP)


def test_enrolment_shows_the_secret_and_uri_and_a_first_code_logs_in_with_recovery_codes(cast):
    client = Client()
    password_step(client, "dept_admin")
    page = client.get(SETUP).content.decode()
    secret = otp.device_secret(TOTPDevice.objects.get(user=cast.dept_admin))
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert "otpauth://totp/" in page
    assert (
        client.post(SETUP, {"code": "000000" if otp.totp(secret) != "000000" else "111111"}).status_code
        == 200
    )
    assert not logged_in(client)
    done = client.post(SETUP, {"code": otp.totp(secret), "next": "/"})
    assert logged_in(client)
    assert done.status_code == 200 and "恢复码" in done.content.decode()
    assert len(done.context["codes"]) == otp.RECOVERY_CODE_COUNT
    assert TOTPDevice.objects.get(user=cast.dept_admin).confirmed_at is not None


def test_the_secret_is_stored_encrypted_and_recovery_codes_hashed(cast):
    client = Client()
    password_step(client, "dept_admin")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.dept_admin)
    secret = otp.device_secret(device)
    codes = client.post(SETUP, {"code": otp.totp(secret)}).context["codes"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM accounts_totpdevice")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT code_hash FROM accounts_recoverycode")
        hashes = " ".join(row[0] for row in cursor.fetchall())
    assert secret not in stored
    assert not any(code.replace("-", "") in hashes for code in codes)


def test_reloading_the_enrolment_page_keeps_the_same_secret(cast):
    client = Client()
    password_step(client, "auditor")
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first


def test_the_enrolment_page_without_a_password_step_sends_to_login(db):
    response = Client().get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# ---- the code step -----------------------------------------------------------------------------


def test_an_enrolled_admin_is_asked_for_the_code_and_only_then_logged_in(cast):
    secret = enrol(cast.dept_admin)
    client = Client()
    response = password_step(client, "dept_admin")
    assert response["Location"].startswith(VERIFY)
    assert not logged_in(client)
    assert client.get(VERIFY).status_code == 200
    assert client.post(VERIFY, {"code": otp.totp(secret), "next": "/"})["Location"] == "/"
    assert logged_in(client)
    assert client.get(reverse("home:dashboard")).status_code == 200


def test_a_wrong_password_never_reaches_the_code_step(cast):
    enrol(cast.dept_admin)
    client = Client()
    assert BAD_CREDENTIALS in password_step(client, "dept_admin", "Wrong#Pass1").content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN


def test_a_used_code_is_refused_the_second_time(cast):
    secret = enrol(cast.dept_admin)
    code = otp.totp(secret)
    first = Client()
    password_step(first, "dept_admin")
    first.post(VERIFY, {"code": code})
    assert logged_in(first)
    second = Client()
    password_step(second, "dept_admin")
    assert OTP_BAD in second.post(VERIFY, {"code": code}).content.decode()
    assert not logged_in(second)


def test_a_code_for_an_earlier_step_than_the_last_used_is_refused(cast, _frozen_clock):
    secret = enrol(cast.dept_admin)
    client = Client()
    password_step(client, "dept_admin")
    client.post(VERIFY, {"code": otp.totp(secret, NOW.timestamp() + 30)})  # the next step, inside ±1
    assert logged_in(client)
    other = Client()
    password_step(other, "dept_admin")
    assert OTP_BAD in other.post(VERIFY, {"code": otp.totp(secret)}).content.decode()


def test_a_recovery_code_works_once(cast):
    enrol(cast.dept_admin)
    codes = otp.new_recovery_codes(cast.dept_admin)
    client = Client()
    password_step(client, "dept_admin")
    client.post(VERIFY, {"code": codes[0]})
    assert logged_in(client)
    again = Client()
    password_step(again, "dept_admin")
    assert OTP_BAD in again.post(VERIFY, {"code": codes[0]}).content.decode()
    assert RecoveryCode.objects.filter(user=cast.dept_admin, used_at__isnull=False).count() == 1


def test_failed_codes_count_towards_the_lockout_even_between_correct_passwords(cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    secret = enrol(cast.dept_admin)
    for _ in range(3):
        client = Client()
        password_step(client, "dept_admin")  # a correct password must not reset the count
        client.post(VERIFY, {"code": "000000" if otp.totp(secret) != "000000" else "111111"})
    client = Client()
    response = password_step(client, "dept_admin")
    assert "登录失败次数过多" in response.content.decode()
    assert not logged_in(client)
    assert LoginAttempt.objects.filter(username="dept_admin", succeeded=False).count() == 3


def test_the_code_step_expires(cast, _frozen_clock):
    secret = enrol(cast.dept_admin)
    client = Client()
    password_step(client, "dept_admin")
    _frozen_clock.shift(dt.timedelta(seconds=otp.PENDING_MAX_AGE + 1))
    response = client.post(VERIFY, {"code": otp.totp(secret)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not logged_in(client)


def test_the_admin_sites_own_login_form_is_replaced_by_ours(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# ---- members opt in ----------------------------------------------------------------------------


def test_a_member_logs_in_with_the_password_alone(cast):
    client = Client()
    password_step(client, "member_user")
    assert logged_in(client)


def test_a_member_may_opt_in_and_is_then_asked_for_codes_and_may_opt_out(cast, _frozen_clock):
    client = cast.client(cast.member_user)
    assert "未启用" in client.get(STATUS).content.decode()
    client.get(SETUP)
    secret = otp.device_secret(TOTPDevice.objects.get(user=cast.member_user))
    assert "恢复码" in client.post(SETUP, {"code": otp.totp(secret)}).content.decode()
    assert "已启用" in client.get(STATUS).content.decode()
    fresh = Client()
    assert password_step(fresh, "member_user")["Location"].startswith(VERIFY)
    _frozen_clock.shift(dt.timedelta(seconds=30))
    client.post(STATUS, {"code": otp.totp(secret)})
    assert not TOTPDevice.objects.filter(user=cast.member_user).exists()


def test_an_admin_may_not_turn_two_factor_authentication_off(cast):
    secret = enrol(cast.committee_admin)
    response = cast.client(cast.committee_admin).post(STATUS, {"code": otp.totp(secret)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=cast.committee_admin).exists()


def test_the_account_security_page_needs_a_login(db):
    response = Client().get(STATUS)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# ---- the API token -----------------------------------------------------------------------------


def test_the_api_token_needs_the_code_for_admins(cast):
    secret = enrol(cast.dept_admin)
    missing = Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD})
    assert missing.status_code == 400 and "token" not in missing.json()
    wrong = Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD, "otp": "12345"})
    assert wrong.status_code == 400
    ok = Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD, "otp": otp.totp(secret)})
    assert ok.status_code == 200 and ok.json()["token"]
    replay = Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD, "otp": otp.totp(secret)})
    assert replay.status_code == 400


def test_an_admin_not_yet_enrolled_gets_no_token(cast):
    response = Client().post(TOKEN, {"username": "auditor", "password": PASSWORD, "otp": "123456"})
    assert response.status_code == 403 and "双因素认证" in response.json()["detail"]


def test_failed_api_codes_lock_the_account(cast, settings):
    settings.LOGIN_MAX_FAILURES = 2
    secret = enrol(cast.dept_admin)
    bad = "000000" if otp.totp(secret) != "000000" else "111111"
    for _ in range(2):
        Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD, "otp": bad})
    locked = Client().post(TOKEN, {"username": "dept_admin", "password": PASSWORD, "otp": otp.totp(secret)})
    assert locked.status_code == 429


def test_a_member_gets_a_token_without_a_code(cast):
    assert Client().post(TOKEN, {"username": "member_user", "password": PASSWORD}).status_code == 200
