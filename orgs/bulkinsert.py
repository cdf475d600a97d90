"""Insert many new rows of one model without the ORM's per-value machinery.

`insert_rows` takes model instances and writes them with one prepared INSERT (executemany).
`insert_values` takes plain tuples (no model instances at all) for the largest generated loads (the demo
county/city/province): multi-row INSERT ... VALUES on SQLite, COPY on PostgreSQL.

Django's `bulk_create` compiles every value of every row through the full expression machinery
(pre_save, resolve_expression checks, get_db_prep_save); for a 30,000-row roster that is most of the
import's time. The rows written here are plain values already validated by the caller's services, so
each column's conversion is chosen once per field and applied per row. No primary keys are returned:
callers that need them use `bulk_create`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

__all__ = ["insert_rows", "insert_values"]

# Fields whose Python value is already what the driver takes (exact types: subclasses may convert).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BigIntegerField)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v)
    if isinstance(field, models.ForeignKey) or type(field) in _AS_IS:
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 2000) -> int:
    """INSERT `objs` (new instances of `model`, primary key unset) and return how many were written.

    `auto_now`/`auto_now_add` fields get one timestamp for the whole call, as `bulk_create` would.
    """
    if not objs:
        return 0
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    columns = [(f.attname, _converter(f)) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch: Iterable[models.Model] = objs[start : start + batch_size]
            cursor.executemany(
                sql, [tuple(conv(getattr(obj, attname)) for attname, conv in columns) for obj in batch]
            )
    return len(objs)


def _sqlite_variable_limit() -> int:
    """The real SQLITE_LIMIT_VARIABLE_NUMBER (32,766 since 3.32; Django assumes the old 999)."""
    raw = getattr(connection.connection, "getlimit", None)
    if raw is None:
        return connection.features.max_query_params or 999
    return raw(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _chunks(total: int, per: int) -> list[tuple[int, int]]:
    """(start, size) of each statement: full ones of `per` rows, then the rest in powers of two, so a
    whole load uses a handful of statement shapes that the driver prepares once and keeps (a new size
    for every batch would compile, and cache, a statement per batch)."""
    out, start = [], 0
    while total - start >= per:
        out.append((start, per))
        start += per
    size = 1 << max(0, (per - 1).bit_length())
    while start < total:
        while size > total - start:
            size >>= 1
        out.append((start, size))
        start += size
    return out


def insert_values(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str | None = None,
) -> dict[Any, int]:
    """INSERT `rows`, tuples of values for `columns` (attnames, primary key excluded), as new rows of
    `model`; with `key` (one of `columns`, unique per row) return {key value: new primary key}.

    Values go to the driver as they are (str, int, bool, None, date; DateTimeField columns are adapted
    here): the caller has already validated and converted them. A concrete field not in `columns` gets
    one value for the whole call, as a model instance would: now for auto_now/auto_now_add, else its
    default ("" for a text field, NULL for a nullable one), so a field added later does not break the load.
    """
    if not rows:
        return {}
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    named = [meta.get_field(c) for c in columns]
    ops = connection.ops
    datetimes = [i for i, f in enumerate(named) if isinstance(f, models.DateTimeField)]
    if datetimes:
        rows = [
            tuple(ops.adapt_datetimefield_value(v) if i in datetimes else v for i, v in enumerate(row))
            for row in rows
        ]
    now = timezone.now()
    extra_fields, extra_values = [], []
    for f in meta.concrete_fields:
        if f is pk or f.attname in columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        else:
            value = f.get_default()  # the default, "" for a text field, else None
            if value is None and not f.null:
                raise ValueError(f"{meta.label}.{f.attname} has no default: give it a column")
        extra_fields.append(f)
        extra_values.append(f.get_db_prep_save(value, connection))
    fields = [*named, *extra_fields]
    tail = tuple(extra_values)
    quote = ops.quote_name
    table = quote(meta.db_table)
    names = [quote(str(f.column)) for f in fields]
    key_at = list(columns).index(key) if key is not None else None
    ids: dict[Any, int] = {}
    with connection.cursor() as wrapper:
        cursor = getattr(wrapper, "cursor", wrapper)  # the driver's cursor: no DEBUG query log of every value
        if connection.vendor == "postgresql":
            copy_names = names
            new_ids: list[int] = []
            if key_at is not None:
                # Primary keys drawn from the table's own sequence, then written with the rows (COPY
                # returns nothing, and RETURNING's row order is not guaranteed anyway).
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk.column, len(rows)],
                )
                new_ids = [r[0] for r in cursor.fetchall()]
                copy_names = [quote(str(pk.column)), *names]
            with cursor.copy(f"COPY {table} ({', '.join(copy_names)}) FROM STDIN") as copy:
                if key_at is None:
                    for row in rows:
                        copy.write_row((*row, *tail))
                else:
                    for new_id, row in zip(new_ids, rows, strict=True):
                        copy.write_row((new_id, *row, *tail))
                        ids[row[key_at]] = new_id
            return ids
        limit = _sqlite_variable_limit() if connection.vendor == "sqlite" else 999
        per = max(1, min(1000, limit // len(fields)))  # 1,000 rows: long enough, no huge statements
        returning = ""
        if key is not None:
            returning = f" RETURNING {quote(str(meta.get_field(key).column))}, {quote(str(pk.column))}"
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        statements: dict[int, str] = {}
        for start, size in _chunks(len(rows), per):
            chunk = rows[start : start + size]
            sql = statements.get(len(chunk))
            if sql is None:
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([one] * len(chunk))}"
                sql += returning
                if connection.vendor == "sqlite":
                    sql = sql.replace("%s", "?")
                statements[len(chunk)] = sql
            params = [v for row in chunk for v in (*row, *tail)]
            cursor.execute(sql, params)
            if key_at is not None:
                ids.update(cursor.fetchall())
    return ids
