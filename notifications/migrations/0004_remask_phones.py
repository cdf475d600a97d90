# The phone mask changed (issue 11): first three and last two digits (personal.mask_phone). Recompute the
# masked form of every outbox row that still holds its ciphertext, on the database being migrated.

from django.db import migrations

import personal

BATCH = 1000


def _old_phone(value):
    return "*" * len(value) if len(value) < 7 else value[:3] + "*" * (len(value) - 7) + value[-4:]


def _run(apps, schema_editor, mask):
    alias = schema_editor.connection.alias
    message = apps.get_model("notifications", "Message")
    rows = message.objects.using(alias).exclude(phone_enc="").only("pk", "phone_enc").order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        row.phone_masked = mask(personal.decrypt(row.phone_enc))
        changed.append(row)
        if len(changed) >= BATCH:
            message.objects.using(alias).bulk_update(changed, ["phone_masked"])
            changed = []
    if changed:
        message.objects.using(alias).bulk_update(changed, ["phone_masked"])


def forwards(apps, schema_editor):
    _run(apps, schema_editor, personal.mask_phone)


def backwards(apps, schema_editor):
    _run(apps, schema_editor, _old_phone)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_message_verify_and_attempted_at"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
