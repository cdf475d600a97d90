"""Insert many new rows of one model with a single prepared INSERT (executemany).

Django's `bulk_create` compiles every value of every row through the full expression machinery
(pre_save, resolve_expression checks, get_db_prep_save); for a 30,000-row roster that is most of the
import's time. The rows written here are plain values already validated by the caller's services, so
each column's conversion is chosen once per field and applied per row. No primary keys are returned:
callers that need them use `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

__all__ = ["insert_rows"]

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
