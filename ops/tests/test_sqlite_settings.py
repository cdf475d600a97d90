"""SQLite runs in WAL mode with secure_delete on and a busy timeout."""

import pytest
from django.db import connection

from ops.testing import sqlite_file_default

pytestmark = pytest.mark.django_db


def _pragma(conn, name):
    with conn.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_a_sqlite_database_file_opens_in_wal_mode_with_secure_delete_and_a_busy_timeout(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings; this pass runs on PostgreSQL")
    with sqlite_file_default(tmp_path / "pragmas.sqlite3") as conn:
        assert _pragma(conn, "journal_mode") == "wal"
        assert _pragma(conn, "secure_delete") == 1
        assert _pragma(conn, "busy_timeout") == 5000
