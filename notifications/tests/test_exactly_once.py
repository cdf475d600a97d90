"""Each SMS reaches the provider once: a message that may already be there is verified, not sent again.

The provider here is the real file backend (its outbox file); a worker's death is its claim left behind.
"""

import datetime as dt
import json

import pytest
import time_machine

from notifications import services
from notifications.backends import FileBackend, Sms, SmsDuplicate, SmsError, SmsUncertain, out_id_for
from notifications.models import Message

START = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
AFTER_LEASE = dt.timedelta(minutes=6)


@pytest.fixture
def outbox_file(settings, tmp_path):
    settings.XIANFENG_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.XIANFENG_SMS_LEASE_SECONDS = 300
    return tmp_path / "sms.jsonl"


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def sms(key="reminder:1:2026-10:20:5:sms"):
    message, _ = services.enqueue_message(
        channel="sms", dedupe_key=key, phone="13812345678", recipient_name="张三", body="【先锋】测试"
    )
    return message


def as_sms(message):
    return Sms(phone="13812345678", body=message.body, dedupe_key=message.dedupe_key, message_id=message.pk)


class AnswerLost(FileBackend):
    """The provider takes the message, but its answer never comes back (a read timeout)."""

    def send(self, sms):
        super().send(sms)
        raise SmsUncertain("Read timed out")


class RecordsDown(FileBackend):
    """The provider's record search is down."""

    def lookup(self, sms, since):
        raise SmsError("查询接口不可用")


def test_the_out_id_is_the_dedupe_key_and_a_too_long_key_its_hash():
    assert out_id_for("reminder:1:2026-10:20:5:sms") == "reminder:1:2026-10:20:5:sms"
    long_a, long_b = "k" * 70 + "a", "k" * 70 + "b"
    assert len(out_id_for(long_a)) == 64
    assert out_id_for(long_a) != out_id_for(long_b)


def test_the_file_provider_refuses_a_second_message_under_the_same_out_id(tmp_path):
    outbox = tmp_path / "sms.jsonl"
    message = Sms(phone="13812345678", body="您好", dedupe_key="k1", message_id=7)
    assert FileBackend(outbox).send(message) == "file-7"
    with pytest.raises(SmsDuplicate) as refused:
        FileBackend(outbox).send(message)  # another worker process: a new instance reading the file
    assert refused.value.provider_id == "file-7"
    assert [line["out_id"] for line in lines(outbox)] == ["k1"]


def test_the_file_provider_finds_a_message_by_its_out_id(tmp_path):
    outbox = tmp_path / "sms.jsonl"
    first = Sms(phone="13812345678", body="您好", dedupe_key="k1", message_id=7)
    backend = FileBackend(outbox)
    assert backend.lookup(first, since=START) is None
    FileBackend(outbox).send(first)
    assert backend.lookup(first, since=START) == "file-7"
    assert backend.lookup(Sms(phone="13812345678", body="x", dedupe_key="k2"), since=START) is None


@pytest.mark.django_db
def test_a_message_sent_by_a_worker_that_died_before_marking_it_is_confirmed_not_sent_again(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        services.claim(message.pk, START)
        FileBackend().send(as_sms(message))  # sent; the worker dies before marking it
        assert services.deliver_due_messages().sent == 0  # still under its lease: left alone
        clock.shift(AFTER_LEASE)
        report = services.deliver_due_messages()
    assert (report.sent, report.confirmed) == (0, 1)
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.sent_at) == (
        Message.Status.SENT,
        f"file-{message.pk}",
        START,
    )
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_a_message_whose_worker_died_after_marking_it_is_not_touched_again(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        sms()
        assert services.deliver_due_messages().sent == 1
        clock.shift(AFTER_LEASE)
        assert (
            str(services.deliver_due_messages())
            == "已发送 0 条，经平台核实已发送 0 条，待重试 0 条，失败 0 条"
        )
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_a_call_whose_answer_was_lost_is_verified_before_any_retry(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        assert services.deliver_due_messages(backend=AnswerLost()).retried == 1
        message.refresh_from_db()
        assert (message.status, message.last_error) == (Message.Status.VERIFY, "Read timed out")
        clock.shift(dt.timedelta(minutes=1))
        report = services.deliver_due_messages()
    assert (report.sent, report.confirmed) == (0, 1)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_a_message_that_cannot_be_verified_waits_and_is_not_sent(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        services.claim(message.pk, START)  # the worker dies; nobody knows whether it sent
        clock.shift(AFTER_LEASE)
        assert services.deliver_due_messages(backend=RecordsDown()).retried == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Message.Status.VERIFY,
        1,
        "查询接口不可用",
    )
    assert lines(outbox_file) == []


@pytest.mark.django_db
def test_a_message_that_cannot_be_verified_after_the_last_attempt_fails_saying_so(settings, outbox_file):
    settings.XIANFENG_SMS_MAX_ATTEMPTS = 2
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        services.claim(message.pk, START)
        for _ in range(2):
            clock.shift(dt.timedelta(hours=1))
            services.deliver_due_messages(backend=RecordsDown())
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error.startswith("无法向短信平台核实是否已发送")
    assert lines(outbox_file) == []


@pytest.mark.django_db
def test_a_message_the_provider_has_no_record_of_is_sent_once(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        services.claim(message.pk, START)  # the worker dies before sending
        clock.shift(AFTER_LEASE)
        assert services.deliver_due_messages().sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempted_at) == (Message.Status.SENT, START + AFTER_LEASE)
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_an_administrators_retry_of_an_attempted_message_verifies_it_first(cast, outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message = sms()
        assert services.deliver_due_messages(backend=AnswerLost()).retried == 1
        Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED)
        message.refresh_from_db()
        services.retry_failed(actor=cast.dept_admin, message=message)
        message.refresh_from_db()
        assert message.status == Message.Status.VERIFY
        clock.shift(dt.timedelta(seconds=1))
        assert services.deliver_due_messages().confirmed == 1
    assert len(lines(outbox_file)) == 1
