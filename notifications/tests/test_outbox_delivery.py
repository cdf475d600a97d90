"""The outbox: written once per dedupe key, delivered exactly once even through a provider outage."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.backends import FileBackend, FlakyFileBackend, get_backend
from notifications.models import Message

START = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def outbox_file(settings, tmp_path):
    settings.XIANFENG_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def sms(key="k1", body="【先锋智慧党建】测试"):
    return services.enqueue_message(
        channel="sms", dedupe_key=key, phone="13812345678", recipient_name="张三", body=body
    )


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.django_db
def test_writing_the_same_message_twice_keeps_one_row():
    first, created = sms()
    again, created_again = sms()
    assert created and not created_again
    assert first.pk == again.pk
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_phone_numbers_are_stored_encrypted_and_masked():
    message, _ = sms()
    assert "13812345678" not in message.phone_enc
    assert message.phone_masked == "138******78"


@pytest.mark.django_db(transaction=True)
def test_delivery_is_scheduled_once_when_the_transaction_commits():
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        sms("a")
        sms("b")
        assert DBTaskResult.objects.count() == 0
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.deliver_due_messages").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_message_and_no_task():
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        sms("a")
        raise RuntimeError
    assert Message.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_the_file_backend_is_the_default_and_writes_masked_json_lines(outbox_file):
    assert isinstance(get_backend(), FileBackend)
    sms()
    report = services.deliver_due_messages()
    assert report.sent == 1
    (line,) = lines(outbox_file)
    assert line["to"] == "138******78"
    assert "13812345678" not in outbox_file.read_text()
    assert Message.objects.get().status == Message.Status.SENT


@pytest.mark.django_db
def test_two_failures_then_success_deliver_exactly_one_message(settings, outbox_file):
    settings.XIANFENG_SMS_BACKEND = "flaky"
    settings.XIANFENG_SMS_FLAKY_FAILURES = 2
    with time_machine.travel(START, tick=False) as clock:
        message, _ = sms()
        assert services.deliver_due_messages().retried == 1  # attempt 1 fails
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
        assert message.next_attempt_at == START + dt.timedelta(minutes=1)
        assert "故障" in message.last_error
        assert services.deliver_due_messages().retried == 0  # not due yet: nothing tried
        clock.shift(dt.timedelta(minutes=1))
        assert services.deliver_due_messages().retried == 1  # attempt 2 fails, back off 2 minutes
        message.refresh_from_db()
        assert message.next_attempt_at == START + dt.timedelta(minutes=3)
        clock.shift(dt.timedelta(minutes=2))
        assert services.deliver_due_messages().sent == 1  # attempt 3 succeeds
        clock.shift(dt.timedelta(hours=1))
        assert services.deliver_due_messages().sent == 0  # and is never sent again
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Message.Status.SENT, 3, "")
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_a_message_is_marked_failed(settings, outbox_file):
    settings.XIANFENG_SMS_MAX_ATTEMPTS = 3
    backend = FlakyFileBackend(outbox_file, failures=99)
    with time_machine.travel(START, tick=False) as clock:
        message, _ = sms()
        for _ in range(3):
            services.deliver_due_messages(backend=backend)
            clock.shift(dt.timedelta(hours=1))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    assert lines(outbox_file) == []


def test_backoff_doubles_and_is_capped(settings):
    settings.XIANFENG_SMS_BACKOFF_CAP_MINUTES = 60
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 8)] == [1, 2, 4, 8, 60]


@pytest.mark.django_db
def test_a_row_claimed_by_one_worker_is_not_claimed_by_another():
    message, _ = sms("a")
    now = timezone.now()
    first = services.claim(message.pk, now)
    assert first is not None and services.claim(message.pk, now) is None
    message.refresh_from_db()
    assert (message.status, message.claim_token, message.attempted_at) == (
        Message.Status.SENDING,
        first.token,
        now,
    )
    assert services.due_ids(now) == []


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_expires_and_the_message_is_sent(outbox_file):
    with time_machine.travel(START, tick=False) as clock:
        message, _ = sms()
        services.claim(message.pk, START)  # this worker dies before sending
        assert services.deliver_due_messages().sent == 0
        clock.shift(dt.timedelta(minutes=10))
        report = services.deliver_due_messages()  # the outbox has no record of it: sent now
        assert (report.sent, report.confirmed) == (1, 0)
    assert len(lines(outbox_file)) == 1


@pytest.mark.django_db
def test_site_notices_are_delivered_as_written(cast):
    notice, _ = services.enqueue_message(
        channel="site", dedupe_key="n1", recipient=cast.secretary, body="您好"
    )
    assert notice.status == Message.Status.SENT
    assert services.unread_count(cast.secretary) == 1
    assert services.mark_read(actor=cast.secretary) == 1
    assert services.unread_count(cast.secretary) == 0


@pytest.mark.django_db
def test_the_deliver_command_calls_the_same_service(outbox_file):
    from django.core.management import call_command

    sms()
    call_command("notifications_deliver")
    assert len(lines(outbox_file)) == 1
