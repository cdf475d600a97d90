# The masks changed (issue 11): an ID number now keeps its first and last character, a phone its first
# three and last two digits (personal.mask_id_number, personal.mask_phone). Recompute every stored masked
# form from the ciphertext, on the database being migrated (schema_editor.connection.alias).

from django.db import migrations

import personal

BATCH = 1000


def _old_id(value):
    return "*" * len(value) if len(value) <= 8 else value[:4] + "*" * (len(value) - 8) + value[-4:]


def _old_phone(value):
    return "*" * len(value) if len(value) < 7 else value[:3] + "*" * (len(value) - 7) + value[-4:]


def _remask(model, alias, pairs):
    """pairs: (ciphertext field, masked field, mask function)."""
    fields = [masked for _, masked, _ in pairs]
    rows = model.objects.using(alias).only("pk", *[enc for enc, _, _ in pairs]).order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        for enc, masked, mask in pairs:
            token = getattr(row, enc)
            if token:  # a purged value stays empty
                setattr(row, masked, mask(personal.decrypt(token)))
        changed.append(row)
        if len(changed) >= BATCH:
            model.objects.using(alias).bulk_update(changed, fields)
            changed = []
    if changed:
        model.objects.using(alias).bulk_update(changed, fields)


def _run(apps, schema_editor, id_mask, phone_mask):
    alias = schema_editor.connection.alias
    member = apps.get_model("orgs", "Member")
    organization = apps.get_model("orgs", "Organization")
    _remask(member, alias, [("id_number_enc", "id_number_masked", id_mask), ("phone_enc", "phone_masked", phone_mask)])
    _remask(organization, alias, [("contact_phone_enc", "contact_phone_masked", phone_mask)])


def forwards(apps, schema_editor):
    _run(apps, schema_editor, personal.mask_id_number, personal.mask_phone)


def backwards(apps, schema_editor):
    _run(apps, schema_editor, _old_id, _old_phone)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0004_member_search_number_permission"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
