"""Test support: run a test against a real SQLite *file* (the suite's database lives in memory).

`sqlite_file_default` copies the test database's schema and rows into a
file and makes it the "default" connection for the block, with the settings' init_command (WAL,
secure_delete, busy timeout) — optionally with a shorter busy timeout — then puts the in-memory
connection back.
"""

from __future__ import annotations

import contextlib
import copy
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connections


@contextlib.contextmanager
def sqlite_file_default(path: Path, *, busy_timeout_ms: int | None = None) -> Iterator[Any]:
    original = connections["default"]
    if original.vendor != "sqlite":
        raise RuntimeError("sqlite_file_default needs the SQLite test database")
    _copy_database(original, path)
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict["NAME"] = str(path)
    options = dict(settings_dict.get("OPTIONS", {}))
    if busy_timeout_ms is not None:
        options["init_command"] = re.sub(
            r"busy_timeout=\d+", f"busy_timeout={busy_timeout_ms}", options.get("init_command", "")
        )
    settings_dict["OPTIONS"] = options
    wrapper = original.__class__(settings_dict, alias="default")
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = original


def _copy_database(original: Any, path: Path) -> None:
    """Schema and rows through the test's own connection (its wrapping transaction stays untouched)."""
    with original.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
        )
        objects = cursor.fetchall()
        target = sqlite3.connect(path)
        try:
            for kind, name, sql in objects:
                if kind != "table":
                    continue
                target.execute(sql)
                cursor.execute(f'SELECT * FROM "{name}"')
                rows = cursor.fetchall()
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    target.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
            for kind, _, sql in objects:
                if kind != "table":
                    target.execute(sql)
            target.commit()
        finally:
            target.close()


def file_bytes(path: Path) -> bytes:
    """The database file and its WAL, as stored on disk."""
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")
