"""orgs.bulkinsert.insert_rows, the one bulk writer: plain tuples in, the right ids back, the model's defaults
filled in, and every value stored as the ORM would store it (dates, datetimes, booleans, JSON)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from orgs.bulkinsert import insert_rows
from orgs.models import Organization
from orgs.paths import encode_step


@pytest.mark.django_db
def test_many_rows_in_several_statements_come_back_with_their_own_ids() -> None:
    columns = ("path", "depth", "name", "code", "kind", "unit_category", "established_on")
    rows = [
        (
            encode_step(i + 1),
            1,
            f"中共测试{i}委员会",
            f"T{i:06d}",
            Organization.Kind.COMMITTEE,
            Organization.UnitCategory.ORGAN,
            dt.date(2000, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(2345)  # more than one statement's worth on SQLite
    ]
    ids = insert_rows(Organization, columns, rows, key="path")
    assert len(ids) == len(set(ids.values())) == 2345
    stored = {o.path: o for o in Organization.objects.all()}
    for path, pk in ids.items():
        assert stored[path].pk == pk
    last = stored[encode_step(2345)]
    assert (last.name, last.code, last.established_on) == (
        "中共测试2344委员会",
        "T002344",
        dt.date(2006, 6, 2),
    )
    # The columns not given get what a new model instance would have.
    assert last.is_active and last.child_seq == 0 and last.unit_name == "" and last.term_years is None
    assert last.created_at is not None and last.updated_at is not None


@pytest.mark.django_db
def test_without_a_key_nothing_comes_back_and_every_row_is_written() -> None:
    columns = ("path", "depth", "name", "code", "kind", "unit_category")
    rows = [(encode_step(i + 1), 1, f"组织{i}", f"C{i}", "committee", "organ") for i in range(3)]
    assert insert_rows(Organization, columns, rows) == {}
    assert sorted(Organization.objects.values_list("code", flat=True)) == ["C0", "C1", "C2"]
    assert insert_rows(Organization, columns, []) == {}
    # An iterator is written as it is consumed.
    more = ((encode_step(10 + i), 1, f"组织{i}", f"D{i}", "committee", "organ") for i in range(5))
    insert_rows(Organization, columns, more)
    assert Organization.objects.filter(code__startswith="D").count() == 5


@pytest.mark.django_db
def test_json_ip_addresses_and_datetimes_are_stored_as_the_orm_stores_them() -> None:
    at = timezone.now().replace(microsecond=123456)
    summary = {"files": ["照片.jpg"], "n": 2, "nested": {"ok": True}}
    columns = ["created_at", "actor_id", "action", "ip", "summary", "target_repr"]
    insert_rows(
        AuditEvent,
        columns,
        [(at, 7, "export", "2001:db8::1", summary, "导出"), (at, None, "login", None, {}, "")],
    )
    first, second = AuditEvent.objects.order_by("id")
    assert (first.created_at, first.actor_id, first.ip, first.summary, first.target_repr) == (
        at,
        7,
        "2001:db8::1",
        summary,
        "导出",
    )
    assert (second.actor_id, second.ip, second.summary, second.org_path) == (None, None, {}, "")
    # The JSON is real JSON in the database, not a quoted string: lookups into it work.
    assert AuditEvent.objects.get(summary__nested__ok=True) == first


def test_a_column_without_a_default_must_be_given() -> None:
    with pytest.raises(ValueError, match="no default"):
        insert_rows(Organization, ("path",), [("0001",)])
