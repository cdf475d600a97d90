"""The data migration notifications 0004 recomputes the outbox's masked phones from the ciphertext."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.timezone import now

import personal
from notifications.models import Message


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def message(key, phone):
    return Message.objects.create(
        channel="sms",
        dedupe_key=key,
        phone_enc=personal.encrypt(phone) if phone else "",
        phone_masked=personal.mask_phone(phone) if phone else "",
        body="提醒",
        next_attempt_at=now(),
        created_at=now(),
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_remasks_every_outbox_phone():
    sms, site = message("a", "13812345678"), message("b", "")
    migrate([("notifications", "0003_message_verify_and_attempted_at")])
    assert Message.objects.get(pk=sms.pk).phone_masked == "138****5678"
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert Message.objects.get(pk=sms.pk).phone_masked == "138******78"
    assert Message.objects.get(pk=site.pk).phone_masked == ""
