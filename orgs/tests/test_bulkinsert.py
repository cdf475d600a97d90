"""orgs.bulkinsert.insert_values: plain tuples in, the right ids back, the model's defaults filled in."""

from __future__ import annotations

import datetime as dt

import pytest

from orgs.bulkinsert import insert_values
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
    ids = insert_values(Organization, columns, rows, key="path")
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
    assert insert_values(Organization, columns, rows) == {}
    assert sorted(Organization.objects.values_list("code", flat=True)) == ["C0", "C1", "C2"]
    assert insert_values(Organization, columns, []) == {}
