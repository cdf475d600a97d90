"""Insert many new rows of one model, given as plain values, without Django's per-value compilation.

`insert_rows(model, columns, rows, key=...)` is the one bulk writer of the project: the roster import's
new members, the demo loads (organizations, members, posts) and the meeting records' bulk path
(attendance, record history) all write through it. With `key` it returns the new primary keys by a key
column.

Django's `bulk_create` compiles every value of every row through the full expression machinery
(pre_save, resolve_expression checks, get_db_prep_save); for a 30,000-row roster that is most of the
import's time. The rows written here are plain values already validated by the caller's services, so
each column's conversion (model field value -> the driver's value: `_converter`) is chosen once per field
and applied per row, and no model instance is built.

PostgreSQL gets the rows through `COPY ... FROM STDIN` (psycopg 3's `cursor.copy`): one statement for
the whole set instead of one parsed and planned INSERT per row. SQLite gets multi-row INSERTs of up to
1,000 rows (RETURNING the keys when asked), in a handful of statement shapes the driver prepares once.
Either way the rows go through the connection of the caller's transaction, so an import that fails
later rolls them back with everything else, and through the driver's own cursor, so DEBUG's query log
does not quote every value of every batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

__all__ = ["insert_rows"]

# Fields whose Python value is already what the driver takes (exact types: subclasses may convert).
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a field's value becomes the driver's, or None where the value is passed as it is.

    Passed as they are: text, integers, foreign keys, booleans, dates (psycopg adapts them; on SQLite
    Django registers the date adapter, and bool is an int) and, on PostgreSQL, aware datetimes. SQLite gets
    Django's naive-UTC text for datetimes. JSON, decimals, IP addresses and the rest go through the field's
    own get_db_prep_save, as the ORM would. Chosen once per field: the demo loads convert ~20k rows/s."""
    if isinstance(field, models.DateTimeField):
        return None if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value
    if isinstance(field, (models.DateField, models.BooleanField, models.ForeignKey)) or type(field) in _AS_IS:
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _auto_now(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _defaults(
    model: type[models.Model], given: list[models.Field[Any, Any]]
) -> tuple[list[models.Field[Any, Any]], tuple[Any, ...]]:
    """The concrete fields not among `given` (the auto primary key aside) with one driver value each for the
    whole call, as a new model instance would have them: now for auto_now/auto_now_add, else the default
    ("" for a text field, NULL for a nullable one), so a field added later does not break a load."""
    meta = model._meta
    now = timezone.now()
    fields, values = [], []
    for f in meta.concrete_fields:
        if f in given or (f.primary_key and isinstance(f, models.AutoField)):
            continue
        value = now if _auto_now(f) else f.get_default()
        if value is None and not f.null:
            raise ValueError(f"{meta.label}.{f.attname} has no default: give it a column")
        conv = _converter(f)
        fields.append(f)
        values.append(conv(value) if conv is not None else value)
    return fields, tuple(values)


def _converted(
    fields: list[models.Field[Any, Any]], rows: Iterable[Sequence[Any]], tail: tuple[Any, ...]
) -> Iterator[tuple[Any, ...]]:
    """Each row converted for the driver, with `tail` (the defaults) appended; one row at a time, so no
    second copy of a large import is held."""
    convert = [(i, conv) for i, f in enumerate(fields) if (conv := _converter(f)) is not None]
    if not convert:
        for row in rows:
            yield tuple(row) + tail  # tuple() of a tuple is the tuple itself: no copy
        return
    for row in rows:
        values = list(row)
        for i, conv in convert:
            values[i] = conv(values[i])
        yield tuple(values) + tail


def _sqlite_variable_limit() -> int:
    """The real SQLITE_LIMIT_VARIABLE_NUMBER (32,766 since 3.32; Django assumes the old 999)."""
    raw = getattr(connection.connection, "getlimit", None)
    if raw is None:
        return connection.features.max_query_params or 999
    return raw(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _batches(rows: Iterator[tuple[Any, ...]], per: int) -> Iterator[list[tuple[Any, ...]]]:
    """Full batches of `per` rows, then the rest in powers of two, so a whole load uses a handful of
    statement shapes that the driver prepares once and keeps (a new size for every batch would compile,
    and cache, a statement per batch)."""
    while batch := list(islice(rows, per)):
        if len(batch) == per:
            yield batch
            continue
        start, size = 0, 1 << max(0, (per - 1).bit_length())
        while start < len(batch):
            while size > len(batch) - start:
                size >>= 1
            yield batch[start : start + size]
            start += size
        return


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    key: str | None = None,
) -> dict[Any, int]:
    """INSERT `rows`, sequences of model values for `columns` (field names or attnames, the auto primary
    key excluded), as new rows of `model`; with `key` (one of `columns`, unique per row) return
    {key value: new primary key}, else {}.

    Values are the model's Python values (str, int, bool, None, date, aware datetime, JSON-able dict …),
    already validated by the caller; each column is converted for the driver by one converter per field.
    A concrete field not in `columns` gets one value for the whole call (`_defaults`). `rows` may be an
    iterator when no key is asked for: it is consumed as it is written.
    """
    if isinstance(rows, Sequence) and not rows:
        return {}
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    named = [cast("models.Field[Any, Any]", meta.get_field(c)) for c in columns]
    key_at = list(columns).index(key) if key is not None else None
    extra_fields, tail = _defaults(model, named)
    fields = [*named, *extra_fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = [quote(str(f.column)) for f in fields]
    if key_at is not None and not isinstance(rows, Sequence):
        rows = list(rows)
    ids: dict[Any, int] = {}
    with connection.cursor() as wrapper:
        cursor = getattr(wrapper, "cursor", wrapper)  # the driver's cursor: no DEBUG query log of every value
        if connection.vendor == "postgresql":
            values = _converted(named, rows, tail)
            if key_at is None:
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
                return ids
            rows = cast("Sequence[Sequence[Any]]", rows)
            # Primary keys drawn from the table's own sequence, then written with the rows (COPY returns
            # nothing, and RETURNING's row order is not guaranteed anyway).
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            new_ids = [r[0] for r in cursor.fetchall()]
            copy_names = [quote(str(pk.column)), *names]
            with cursor.copy(f"COPY {table} ({', '.join(copy_names)}) FROM STDIN") as copy:
                for new_id, row, value in zip(new_ids, rows, values, strict=True):
                    copy.write_row((new_id, *value))
                    ids[row[key_at]] = new_id
            return ids
        limit = _sqlite_variable_limit() if connection.vendor == "sqlite" else 999
        per = max(1, min(1000, limit // len(fields)))  # 1,000 rows: long enough, no huge statements
        returning = ""
        if key_at is not None:
            returning = f" RETURNING {quote(str(named[key_at].column))}, {quote(str(pk.column))}"
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        statements: dict[int, str] = {}
        for chunk in _batches(_converted(named, rows, tail), per):
            sql = statements.get(len(chunk))
            if sql is None:
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([one] * len(chunk))}"
                sql += returning
                if connection.vendor == "sqlite":
                    sql = sql.replace("%s", "?")
                statements[len(chunk)] = sql
            cursor.execute(sql, [v for row in chunk for v in row])
            if key_at is not None:
                ids.update(cursor.fetchall())
    return ids
