from django.db import connection

import personal
from orgs.models import Member


def test_encryption_round_trips_and_is_randomized():
    a, b = personal.encrypt("13812345678"), personal.encrypt("13812345678")
    assert a != b
    assert personal.decrypt(a) == personal.decrypt(b) == "13812345678"


def test_blind_index_is_stable_and_kind_specific():
    assert personal.blind_index("id", "34010119800517101x") == personal.blind_index(
        "id", "34010119800517101X"
    )
    assert personal.blind_index("id", "13812345678") != personal.blind_index("phone", "13812345678")


def test_the_batch_helpers_give_what_the_one_value_helpers_give():
    values = ["34010119800517101x", "", "13812345678", "13812345678", " 5512345 "]
    sealed = personal.encrypt_many(values)
    assert [personal.decrypt(token) for token in sealed] == values
    assert sealed[1] == "" and sealed[2] != sealed[3]  # a fresh nonce per value, as encrypt's
    assert len({token[:17] for token in sealed if token}) == 4
    for kind in ("id", "phone"):
        assert personal.blind_index_many(kind, values) == [personal.blind_index(kind, v) for v in values]
    assert personal.encrypt_many(iter(values))[2] != sealed[2]  # any iterable, e.g. a generator


def test_masks_keep_only_the_ends():
    assert personal.mask_id_number("340101198005171234") == "3****************4"
    assert personal.mask_phone("13812345678") == "138******78"
    assert personal.mask_phone("5512345") == "*****45"  # a landline keeps its last two digits only


def test_the_database_holds_no_plain_id_or_phone(cast):
    member = cast.member_a1
    plain_id = personal.decrypt(member.id_number_enc)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM orgs_member WHERE id = %s", [member.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert plain_id not in row
    assert "13955551234" not in row
    assert Member.objects.get(pk=member.pk).phone_masked == "139******34"
