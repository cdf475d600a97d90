"""`manage.py backup` writes an SM4-encrypted, consistent backup of every table and the uploaded files;
`manage.py restore --verify` restores it into a fresh database and checks counts, fingerprints and the
audit chain — on SQLite and on PostgreSQL."""

import os
import uuid
from io import StringIO
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from audit.models import AuditEvent
from audit.services import record_event
from ops.backup import backup_to_file, open_backup, restore, target_database
from ops.management.commands.restore import prepare_target
from orgs.models import Member

pytestmark = pytest.mark.django_db

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PHOTO = b"\xff\xd8\xff\xe0 photo bytes \x00\x01" * 1000


@pytest.fixture
def source(cast, tmp_path, settings):
    """The cast, an audit event and an uploaded file: what a backup must carry."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "orglife" / "photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "orglife" / "photos" / "a.jpg").write_bytes(PHOTO)
    record_event(
        actor=cast.dept_admin, action=AuditEvent.Action.EXPORT, target=cast.member_a1, summary={"n": 1}
    )
    return cast


def _run_restore(path, target_url, media=None):
    out, err = StringIO(), StringIO()
    args = [str(path), "--verify", "--target", target_url]
    if media is not None:
        args += ["--media-root", str(media)]
    call_command("restore", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_a_backup_restores_into_a_fresh_sqlite_database_and_verifies(source, tmp_path):
    path = tmp_path / "site.xfbak"
    call_command("backup", "--output", str(path), stdout=StringIO())
    raw = path.read_bytes()
    assert "李建国".encode() not in raw and b"photo bytes" not in raw  # sealed, not just compressed
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    restored = tmp_path / "restored.sqlite3"
    out = _run_restore(path, f"sqlite:///{restored}", media=tmp_path / "restored-media")
    assert "核对通过" in out
    assert (tmp_path / "restored-media" / "orglife" / "photos" / "a.jpg").read_bytes() == PHOTO
    import sqlite3

    with sqlite3.connect(restored) as db:
        assert db.execute("SELECT count(*) FROM orgs_member").fetchone()[0] == Member.objects.count()
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == AuditEvent.objects.count()


def test_restore_refuses_a_database_that_is_not_fresh(source, tmp_path):
    path = tmp_path / "site.xfbak"
    backup_to_file(path)
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"not empty")
    with pytest.raises(CommandError, match="已存在"):
        _run_restore(path, f"sqlite:///{existing}")


def test_a_tampered_truncated_or_foreign_key_backup_is_refused(source, tmp_path, settings):
    path = tmp_path / "site.xfbak"
    backup_to_file(path)
    data = path.read_bytes()
    cases = {
        "flipped": (data[:200] + bytes([data[200] ^ 1]) + data[201:], "校验失败"),
        "truncated": (data[:-40], "不完整"),
    }
    for name, (content, message) in cases.items():
        bad = tmp_path / f"{name}.xfbak"
        bad.write_bytes(content)
        with pytest.raises(CommandError, match=message):
            _run_restore(bad, f"sqlite:///{tmp_path / (name + '.sqlite3')}")
    settings.BACKUP_KEY = "00" * 16
    with pytest.raises(CommandError, match="备份密钥不匹配"):
        _run_restore(path, f"sqlite:///{tmp_path / 'other-key.sqlite3'}")


def test_verify_reports_a_row_changed_after_backup(source, tmp_path):
    """The fingerprints catch what a count would miss: the check compares content, not just size."""
    path = tmp_path / "site.xfbak"
    manifest = backup_to_file(path)
    Member.objects.filter(pk=source.member_a1.pk).update(name="改过的名字")
    again = tmp_path / "again.xfbak"
    changed = backup_to_file(again)
    assert changed["tables"]["orgs.Member"]["rows"] == manifest["tables"]["orgs.Member"]["rows"]
    assert changed["tables"]["orgs.Member"]["sha256"] != manifest["tables"]["orgs.Member"]["sha256"]


# --- PostgreSQL ------------------------------------------------------------------------------------


def _postgres_reachable():
    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **PG).close()
        return True
    except psycopg.Error:
        return False


def _drop(name):
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_into(path, url, *, alias):
    with open_backup(path) as src, target_database(prepare_target(url), alias=alias) as target:
        report = restore(src, target, media_root=None, verify=True)
        return report, target


def test_a_backup_round_trips_through_postgresql(source, tmp_path):
    """On the PostgreSQL pass the suite's own database is backed up; otherwise a throwaway PostgreSQL
    database is filled from the SQLite backup, backed up in its own snapshot, and restored again."""
    if connection.vendor != "postgresql" and not _postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is unreachable; CI requires it")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is unreachable")
    tag = uuid.uuid4().hex[:8]
    names = [f"xianfeng_restore_{tag}_a", f"xianfeng_restore_{tag}_b"]
    first = tmp_path / "first.xfbak"
    backup_to_file(first)
    try:
        report, _ = _restore_into(first, f"postgres://postgres@127.0.0.1:5432/{names[0]}", alias="pg_a")
        assert report.ok, report.problems
        assert report.tables["orgs.Member"]["rows"] == Member.objects.count()
        if connection.vendor == "postgresql":
            return
        # Back up the PostgreSQL copy (REPEATABLE READ snapshot on its own connection) and restore it.
        second = tmp_path / "second.xfbak"
        source_db = dj_database_url.parse(f"postgres://postgres@127.0.0.1:5432/{names[0]}")
        with target_database(source_db, alias="pg_src") as a:
            manifest = backup_to_file(second, using=a)
        assert manifest["vendor"] == "postgresql"
        report, alias = _restore_into(second, f"postgres://postgres@127.0.0.1:5432/{names[1]}", alias="pg_b")
        assert report.ok, report.problems
        assert report.tables["orgs.Member"] == {**report.tables["orgs.Member"], "ok": True}
        assert report.manifest["audit_chain"] == manifest["audit_chain"]
    finally:
        connections.close_all()
        for name in names:
            _drop(name)
    assert Path(first).exists()
