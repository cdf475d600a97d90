"""Insert many new rows of one model, given as plain values, without Django's per-value compilation.

Django's `bulk_create` compiles every value of every row through the full expression machinery
(pre_save, resolve_expression checks, get_db_prep_save); for a 30,000-row roster that is most of the
import's time. The rows written here are plain values already validated by the caller's services, so
each column's conversion is chosen once per field and applied per row, and no model instance is built.

PostgreSQL gets the rows through `COPY ... FROM STDIN` (psycopg 3's `cursor.copy`): one statement for
the whole set instead of one parsed and planned INSERT per row (Django's client-side binding sends each
row of an executemany as its own literal statement). Other databases (SQLite) get one prepared INSERT
run with executemany per batch. Either way the rows go through the connection of the caller's
transaction, so an import that fails later rolls them back with everything else. No primary keys are
returned: callers that need them use `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

__all__ = ["insert_dicts"]

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
