"""Insert many new rows of one model, given as plain values, without Django's per-value compilation.

`insert_dicts` takes one dict per row (the roster import); `insert_values` takes plain tuples and can
return the new primary keys by a key column (the demo county/city/province loads).

Django's `bulk_create` compiles every value of every row through the full expression machinery
(pre_save, resolve_expression checks, get_db_prep_save); for a 30,000-row roster that is most of the
import's time. The rows written here are plain values already validated by the caller's services, so
each column's conversion is chosen once per field and applied per row, and no model instance is built.

PostgreSQL gets the rows through `COPY ... FROM STDIN` (psycopg 3's `cursor.copy`): one statement for
the whole set instead of one parsed and planned INSERT per row (Django's client-side binding sends each
row of an executemany as its own literal statement). Other databases (SQLite) get one prepared INSERT
run with executemany per batch. Either way the rows go through the connection of the caller's
transaction, so an import that fails later rolls them back with everything else. No primary keys are
returned by `insert_dicts`: callers that need them use `insert_values(..., key=...)` or `bulk_create`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

__all__ = ["insert_dicts", "insert_values"]

# Fields whose Python value is already what the driver takes (exact types: subclasses may convert).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BigIntegerField)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a field's value becomes the driver's, or None where the value is passed as it is."""
    ops = connection.ops
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.ForeignKey) or type(field) in _AS_IS:
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _rows(
    fields: list[models.Field[Any, Any]], records: Iterable[dict[str, Any]], constants: dict[str, Any]
) -> Iterator[tuple[Any, ...]]:
    """Each record's values (with `constants` for the columns it leaves out) in the order of `fields`,
    converted for the driver; one row at a time, so no second copy of a large import is held."""
    get = itemgetter(*(f.attname for f in fields))
    values = get if len(fields) > 1 else lambda record: (get(record),)
    convert = [(i, conv) for i, f in enumerate(fields) if (conv := _converter(f)) is not None]
    if connection.vendor == "postgresql":
        # psycopg adapts dates, datetimes and booleans itself; only other conversions (JSON …) remain.
        convert = [
            (i, conv)
            for i, conv in convert
            if not isinstance(fields[i], (models.DateField, models.BooleanField))
        ]
    for record in records:
        row: tuple[Any, ...] = values(constants | record if constants else record)
        if convert:
            converted = list(row)
            for i, conv in convert:
                converted[i] = conv(converted[i])
            row = tuple(converted)
        yield row


def _auto_now(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


def _write(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    rows: Iterator[tuple[Any, ...]],
    batch_size: int,
) -> int:
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(str(f.column)) for f in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        while batch := list(islice(rows, batch_size)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def insert_dicts(model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch_size: int = 2000) -> int:
    """INSERT new rows of `model` given as {attname: value} dicts (all with the same keys), without model
    instances; a field a row leaves out gets its default (evaluated once for the call), `auto_now` and
    `auto_now_add` fields one timestamp for the call. Returns how many were written."""
    if not rows:
        return 0
    fields = _fields(model)
    given = rows[0].keys()
    if unknown := set(given) - {f.attname for f in fields}:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    now = timezone.now()
    constants = {
        f.attname: now if _auto_now(f) else f.get_default() for f in fields if f.attname not in given
    }
    return _write(model, fields, _rows(fields, rows, constants), batch_size)


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
    named = [cast("models.Field[Any, Any]", meta.get_field(c)) for c in columns]
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
        if _auto_now(f):
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
            key_field = cast("models.Field[Any, Any]", meta.get_field(key))
            returning = f" RETURNING {quote(str(key_field.column))}, {quote(str(pk.column))}"
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
