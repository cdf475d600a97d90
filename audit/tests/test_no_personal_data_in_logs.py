"""No personal data in application logs or error pages."""

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from audit.log_guard import GUARD
from audit.personal_data import find_personal_data
from conftest import make_member
from orgs.models import Member
from personal import decrypt, idcard, mask_phone

VALID_ID = "11010519491231002X"  # GB 11643 example, valid check digit
PHONE = "13812345678"


def test_the_scanner_finds_valid_id_numbers_and_mobile_numbers():
    found = find_personal_data(f"编号 {VALID_ID}，电话{PHONE}。")
    assert found == ["身份证号 1****************X", "手机号 138******78"]


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",
        "12812345678",
        "138123456789",
        "1781234567",
        "order 2026051213812345678 ok",
        "138****5678",
        "110105********002X",
    ],
)
def test_the_scanner_ignores_bad_checksums_other_numbers_and_masked_values(text):
    assert find_personal_data(text) == []


def test_the_scanner_skips_uuids_and_digests_but_not_a_number_beside_them():
    # A task id whose last group happens to be digits shaped like a mobile number (a flake seen in CI).
    line = "Task id=bfeef670-e6f7-474c-b95a-15812340400c path=notifications.tasks.x state=SUCCESSFUL"
    assert find_personal_data(line) == []
    assert find_personal_data("hmac " + "a1" * 8 + "13812345678" + "b2" * 8) == []
    assert find_personal_data(f"Task id=bfeef670-e6f7-474c-b95a-15812340400c phone={PHONE}") == [
        "手机号 138******78"
    ]


def test_the_guard_sees_every_record_of_the_suite(db):
    before = GUARD.seen
    logging.getLogger("xianfeng.some.module").debug("a harmless debug line")
    logging.getLogger("django.server").info("a non-propagating logger")
    assert GUARD.seen >= before + 2
    assert GUARD in logging.getLogger().handlers


def test_a_guard_finding_names_the_logger_and_masks_the_value():
    findings_before = list(GUARD.findings)
    record = logging.LogRecord("xianfeng.demo", logging.INFO, __file__, 1, "号码 %s", (PHONE,), None)
    GUARD.handle(record)
    try:
        assert GUARD.findings[-1].logger == "xianfeng.demo"
        assert GUARD.findings[-1].what == ["手机号 138******78"]
    finally:
        GUARD.findings[:] = findings_before  # this one was planted by the test itself


# ---- error pages -------------------------------------------------------------------------------


def crashing_view(request: HttpRequest) -> HttpResponse:
    member = Member.objects.get(name="泄露测试")
    # Locals a debug page would show, and a log line with the values masked as the code must do.
    id_number, phone = decrypt(member.id_number_enc), decrypt(member.phone_enc)
    logging.getLogger("xianfeng.test").warning("crashing for %s", mask_phone(phone))
    raise RuntimeError(f"unexpected failure for member {member.pk} ({len(id_number)})")


urlpatterns = [path("crash/", crashing_view)]


@pytest.mark.urls("audit.tests.test_no_personal_data_in_logs")
def test_a_500_page_shows_no_personal_data(cast, settings):
    settings.DEBUG = False
    number = idcard.make("340101", cast.member_a1.birth_date, 555)
    make_member(cast.branch_a1, "泄露测试", phone="13912348765", id_number=number)
    response = Client(raise_request_exception=False).get("/crash/")
    body = response.content.decode()
    assert response.status_code == 500
    assert find_personal_data(body) == []
    assert number not in body and "泄露测试" not in body and "Traceback" not in body
