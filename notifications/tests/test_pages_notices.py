"""Notices page, bell badge and SMS outbox: allowed, read-only, outsider, anonymous."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Message


@pytest.fixture
def notice(cast):
    message, _ = services.enqueue_message(
        channel="site",
        dedupe_key="n1",
        recipient=cast.secretary,
        org=cast.branch_a1,
        title="组织生活提醒",
        body="您支部本月尚未开展：支委会",
    )
    return message


@pytest.fixture
def failed_sms(cast):
    message, _ = services.enqueue_message(
        channel="sms",
        dedupe_key="s1",
        phone="13812345678",
        org=cast.branch_a1,
        recipient_name="李建国",
        body="提醒",
    )
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, attempts=6, last_error="平台故障"
    )
    return message


def test_the_bell_shows_the_unread_count(cast, notice):
    response = cast.client(cast.secretary).get(reverse("notifications:notice_badge"))
    assert response.status_code == 200
    assert "1条未读" in response.content.decode()


def test_the_notices_page_lists_only_my_notices(cast, notice):
    mine = cast.client(cast.secretary).get(reverse("notifications:notice_list")).content.decode()
    theirs = cast.client(cast.outsider).get(reverse("notifications:notice_list")).content.decode()
    assert "您支部本月尚未开展" in mine
    assert "您支部本月尚未开展" not in theirs


def test_marking_read_clears_the_badge(cast, notice):
    client = cast.client(cast.secretary)
    assert client.post(reverse("notifications:notice_mark_read"), {"ids": [notice.pk]}).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_can_mark_another_users_notice_read(cast, notice):
    cast.client(cast.outsider).post(reverse("notifications:notice_mark_read"), {"ids": [notice.pk]})
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize(
    "name", ["notifications:notice_list", "notifications:notice_badge", "notifications:outbox"]
)
def test_anonymous_users_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_the_outbox_shows_failed_messages_masked_to_admins(cast, failed_sms):
    page = (
        cast.client(cast.dept_admin)
        .get(reverse("notifications:outbox"), {"status": "failed"})
        .content.decode()
    )
    assert "138******78" in page and "13812345678" not in page
    assert "平台故障" in page


def test_the_outbox_lists_messages_awaiting_verification_with_their_error(cast, failed_sms):
    Message.objects.filter(pk=failed_sms.pk).update(status=Message.Status.VERIFY, last_error="Read timed out")
    page = (
        cast.client(cast.dept_admin)
        .get(reverse("notifications:outbox"), {"status": "verify"})
        .content.decode()
    )
    assert "待核实" in page and "重发前先向平台核实" in page and "Read timed out" in page
    assert "重新发送</button>" not in page  # it is verified by the delivery, not retried by hand


def test_the_viewer_reads_the_outbox_but_cannot_retry(cast, failed_sms):
    client = cast.client(cast.viewer)
    assert client.get(reverse("notifications:outbox")).status_code == 200
    assert client.post(reverse("notifications:outbox_retry", args=[failed_sms.pk])).status_code == 403


def test_an_outsider_neither_sees_nor_retries_another_committees_messages(cast, failed_sms):
    client = cast.client(cast.outsider)
    assert "李建国" not in client.get(reverse("notifications:outbox")).content.decode()
    assert client.post(reverse("notifications:outbox_retry", args=[failed_sms.pk])).status_code == 404


def test_an_admin_puts_a_failed_message_back_in_the_queue(cast, failed_sms):
    response = cast.client(cast.dept_admin).post(reverse("notifications:outbox_retry", args=[failed_sms.pk]))
    assert response.status_code == 302
    failed_sms.refresh_from_db()
    assert (failed_sms.status, failed_sms.attempts) == (Message.Status.PENDING, 0)


def test_a_plain_member_has_no_outbox(cast):
    assert cast.client(cast.member_user).get(reverse("notifications:outbox")).status_code == 404
