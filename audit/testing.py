"""Test support: let the test runner empty the audit table between transactional tests.

The append-only triggers refuse DELETE, and on SQLite Django's flush is `DELETE FROM` (PostgreSQL
flushes with TRUNCATE, which row triggers do not see). Only inside the test session, flush drops
the triggers, empties the tables and recreates the triggers in its one transaction; `manage.py
flush` on a real install stays refused.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import django.db.backends.sqlite3.base  # noqa: F401  (imports the operations module without a cycle)
from django.db.backends.sqlite3.operations import DatabaseOperations

_triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")


@contextmanager
def flushable_audit_table() -> Iterator[None]:
    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        sql = original(self, style, tables, **kwargs)
        if "audit_auditevent" not in tables:
            return sql
        return [*_triggers.SQLITE_DOWN, *sql, *_triggers.SQLITE_UP]

    with mock.patch.object(DatabaseOperations, "sql_flush", sql_flush):
        yield


def sealed(events: list[Any]) -> list[Any]:
    """The events as the chain holds them once sealed: PostgreSQL chains rows after commit (audit.chain.seal),
    SQLite as they are inserted. Tests of the chain's protection call this before tampering."""
    from audit import chain
    from audit.models import AuditEvent

    chain.seal()
    fresh = AuditEvent.objects.in_bulk([e.pk for e in events])
    return [fresh[e.pk] for e in events]
