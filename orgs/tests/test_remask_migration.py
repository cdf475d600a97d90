"""The data migration orgs 0005 recomputes every stored mask from the ciphertext, both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import personal
from orgs.models import Member, Organization

BEFORE = ("orgs", "0004_member_search_number_permission")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def org_mask(org):
    # Only this column: at 0004 the table has none of the fields added after it.
    return Organization.objects.filter(pk=org.pk).values_list("contact_phone_masked", flat=True).get()


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_remasks_members_and_contact_phones(cast):
    cast.branch_a1.set_contact_phone("05511234567")
    cast.branch_a1.save()
    purged = Member.objects.filter(pk=cast.member_b1.pk)
    purged.update(phone_enc="", phone_hash="", phone_masked="")
    migrate([BEFORE])  # backwards: the old masks, first 4 + last 4 and 3 + 4
    member = Member.objects.get(pk=cast.member_a1.pk)
    number = personal.decrypt(member.id_number_enc)
    assert member.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert member.phone_masked == "139****1234"
    assert org_mask(cast.branch_a1) == "055****4567"

    migrate(latest())
    member = Member.objects.get(pk=cast.member_a1.pk)
    assert member.id_number_masked == number[0] + "*" * 16 + number[-1]
    assert member.phone_masked == "139******34"
    assert org_mask(cast.branch_a1) == "055******67"
    assert purged.get().phone_masked == ""  # a purged value stays empty
    for m in Member.objects.all():
        assert m.id_number_masked == personal.mask_id_number(personal.decrypt(m.id_number_enc))
