"""Consistent, encrypted backup of every table and the uploaded files, and a verified restore.

The backup is one sealed stream (ops.sealed: SM4-GCM chunks) of records: a header, then per table its
rows (column values as JSON, in primary-key order) with a row count and a content fingerprint, then the
files under MEDIA_ROOT with their SHA-256, then a manifest. All rows are read in one snapshot: a
REPEATABLE READ, READ ONLY transaction on PostgreSQL, a single read transaction on SQLite (WAL lets
writers go on meanwhile). Memory stays bounded: rows are streamed with a chunked cursor, files in 1 MiB
pieces, and the stream is sealed 1 MiB at a time.

A table's fingerprint is the sum, modulo 2**256, of the SHA-256 of each row's canonical JSON: it does
not depend on row order, so the same data gives the same fingerprint on SQLite and on PostgreSQL.

Restore goes into a fresh database only: it migrates the new database, clears what migrations seeded
(content types, permissions, default rows — never the audit table, which must be empty), inserts the
rows as they were (raw inserts: no auto_now, no signals, primary keys kept; the audit table's
append-only triggers allow inserts), resets PostgreSQL sequences and, with verify, re-reads every table
and compares row counts, fingerprints and the head of the audit chain with the manifest.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import decimal
import hashlib
import json
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.base import ModelState
from django.db.models.sql import InsertQuery
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.duration import duration_iso_string

from audit import chain, checkpoint
from ops.sealed import CHUNK_SIZE, SealedError, SealedReader, SealedWriter
from personal.files import open_private

_REC = struct.Struct(">cI")
MOD = 1 << 256
AUDIT_LABEL = "audit.AuditEvent"
CHAIN_FIELD = "chain_hmac"
INSERT_BATCH = 500


class BackupError(Exception):
    pass


# ---------------------------------------------------------------------------------------------- values


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete, managed model (auto-created many-to-many tables included), by label."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.concrete_model is m
    ]
    return sorted(found, key=lambda m: m._meta.label)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def to_json(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def from_json(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def canonical(row: list[Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def row_digest(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest(), "big")


def iter_rows(model: type[models.Model], using: str) -> Iterator[list[Any]]:
    names = [f.attname for f in _columns(model)]
    qs = model._base_manager.using(using).order_by("pk").values_list(*names)
    for values in qs.iterator(chunk_size=2000):
        yield [to_json(v) for v in values]


def table_summary(model: type[models.Model], using: str) -> dict[str, Any]:
    rows, total = 0, 0
    for row in iter_rows(model, using):
        rows += 1
        total = (total + row_digest(canonical(row))) % MOD
    return {"rows": rows, "sha256": f"{total:064x}"}


def audit_chain_head(using: str) -> dict[str, Any]:
    """The audit chain's head (newest row id and HMAC), its row count since the purge anchor, and the
    anchor: the same head the signed checkpoint keeps (audit.checkpoint), so a backup anchors the chain too."""
    current = checkpoint.head(using)
    return {
        "last_id": current.last_id or None,
        CHAIN_FIELD: current.last_hmac or None,
        "count": current.count,
        "anchor_id": current.anchor_id,
    }


def applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# ---------------------------------------------------------------------------------------------- records


class _RecordWriter:
    def __init__(self, sealed: SealedWriter) -> None:
        self.sealed = sealed

    def put(self, kind: bytes, payload: bytes) -> None:
        self.sealed.write(_REC.pack(kind, len(payload)) + payload)

    def put_json(self, kind: bytes, obj: Any) -> None:
        self.put(kind, json.dumps(obj, ensure_ascii=False, sort_keys=True).encode())


def _records(reader: SealedReader) -> Iterator[tuple[bytes, bytes]]:
    while not reader.at_end():
        kind, length = _REC.unpack(reader.read(_REC.size))
        yield kind, reader.read(length)


# ---------------------------------------------------------------------------------------------- backup


@contextlib.contextmanager
def snapshot(using: str = "default") -> Iterator[str]:
    """An alias whose reads all see one consistent snapshot of the database, for the block's duration.

    A separate connection is opened so the snapshot's transaction is its own; when the caller is
    already inside a transaction (a test) or the database is in memory, that connection is used as is.
    """
    base = connections[using]
    in_memory = base.vendor == "sqlite" and base.is_in_memory_db()  # type: ignore[attr-defined]
    if base.in_atomic_block or in_memory:
        with transaction.atomic(using=using):
            yield using
        return
    alias = f"{using}__backup_snapshot"
    settings_dict = copy.deepcopy(base.settings_dict)
    if base.vendor == "sqlite":
        # A deferred transaction takes no write lock: writers go on while we read the WAL snapshot.
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "transaction_mode": "DEFERRED"}
    _register(alias, settings_dict)
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                if base.vendor == "postgresql":
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT 1")  # SQLite: the read transaction (and its snapshot) starts here
            yield alias
    finally:
        _unregister(alias)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def write_backup(out: IO[bytes], *, using: str = "default", media_root: Path | None = None) -> dict[str, Any]:
    """Write the sealed backup to `out` and return its manifest."""
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    sealed = SealedWriter(out)
    rec = _RecordWriter(sealed)
    manifest: dict[str, Any] = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "tables": {},
        "media": {"files": 0, "bytes": 0},
    }
    with snapshot(using) as alias:
        conn = connections[alias]
        manifest["vendor"] = conn.vendor
        manifest["migrations"] = applied_migrations(alias)
        rec.put_json(b"H", {"vendor": conn.vendor, "migrations": manifest["migrations"]})
        existing = set(conn.introspection.table_names())
        for model in backed_up_models():
            if model._meta.db_table not in existing:
                continue
            label = model._meta.label
            rec.put_json(b"T", {"model": label, "fields": [f.attname for f in _columns(model)]})
            rows, total = 0, 0
            for row in iter_rows(model, alias):
                data = canonical(row)
                rec.put(b"R", data)
                rows += 1
                total = (total + row_digest(data)) % MOD
            summary = {"rows": rows, "sha256": f"{total:064x}"}
            rec.put_json(b"E", summary)
            manifest["tables"][label] = {"table": model._meta.db_table, **summary}
        manifest["audit_chain"] = audit_chain_head(alias)
        # Files are read while the snapshot is held: a file deleted meanwhile is noted, not fatal.
        missing = []
        for path in _media_files(media):
            rel = path.relative_to(media).as_posix()
            digest = hashlib.sha256()
            size = 0
            try:
                with path.open("rb") as fh:
                    rec.put_json(b"F", {"path": rel})
                    while piece := fh.read(CHUNK_SIZE // 2):
                        rec.put(b"D", piece)
                        digest.update(piece)
                        size += len(piece)
            except FileNotFoundError:
                missing.append(rel)
                continue
            rec.put_json(b"G", {"path": rel, "size": size, "sha256": digest.hexdigest()})
            manifest["media"]["files"] += 1
            manifest["media"]["bytes"] += size
        manifest["media"]["missing"] = missing
    rec.put_json(b"M", manifest)
    sealed.close()
    return manifest


def backup_to_file(path: Path, *, using: str = "default", media_root: Path | None = None) -> dict[str, Any]:
    """Write atomically: a partial file never takes the final name; owner-only permissions."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        with open_private(tmp, "wb") as out:
            manifest = write_backup(out, using=using, media_root=media_root)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return manifest


# ---------------------------------------------------------------------------------------------- restore


@dataclass
class RestoreReport:
    manifest: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> rows, sha256, ok
    media_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextlib.contextmanager
def target_database(settings_dict: dict[str, Any], alias: str = "restore_target") -> Iterator[str]:
    """Register a database under `alias` for the block (settings as in DATABASES)."""
    full = copy.deepcopy(connections["default"].settings_dict)
    full.update(copy.deepcopy(settings_dict))
    full["OPTIONS"] = copy.deepcopy(settings_dict.get("OPTIONS", {}))  # never another engine's options
    full["TEST"] = {}
    _register(alias, full)
    try:
        yield alias
    finally:
        _unregister(alias)


def _register(alias: str, settings_dict: dict[str, Any]) -> None:
    """A connection for this process only, not added to DATABASES (it is no configured database)."""
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


def _unregister(alias: str) -> None:
    with contextlib.suppress(Exception):
        connections[alias].close()
    with contextlib.suppress(AttributeError):
        del connections[alias]


def _insert(model: type[models.Model], fields: list[models.Field], rows: list[list[Any]], alias: str) -> None:
    objs = []
    for row in rows:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update({f.attname: from_json(f, v) for f, v in zip(fields, row, strict=True)})
        objs.append(obj)
    conn = connections[alias]
    step = max(1, min(INSERT_BATCH, conn.ops.bulk_batch_size(fields, objs) or INSERT_BATCH))
    for start in range(0, len(objs), step):
        query = InsertQuery(model)
        query.insert_values(fields, objs[start : start + step], raw=True)  # raw: values exactly as stored
        query.get_compiler(using=alias).execute_sql(returning_fields=None)


def _prepare_fresh(alias: str) -> None:
    """Migrate the new database, then clear the rows migrations seeded (never the audit table)."""
    call_command("migrate", database=alias, interactive=False, verbosity=0, skip_checks=True)
    conn = connections[alias]
    audit_table = apps.get_model(AUDIT_LABEL)._meta.db_table
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        for model in backed_up_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            if not cursor.fetchone()[0]:
                continue
            if table == audit_table:
                raise BackupError("目标数据库迁移后审计表不为空，无法恢复")
            cursor.execute(f"DELETE FROM {conn.ops.quote_name(table)}")  # noqa: S608


def restore(src: IO[bytes], alias: str, *, media_root: Path | None, verify: bool) -> RestoreReport:
    """Restore the stream into the (fresh, registered) database `alias` and, with verify, check it."""
    reader = SealedReader(src)
    report = RestoreReport()
    conn = connections[alias]
    _prepare_fresh(alias)
    expected_migrations = applied_migrations(alias)
    in_stream: dict[str, dict[str, Any]] = {}
    restored_models: list[type[models.Model]] = []
    media_out: IO[bytes] | None = None
    with transaction.atomic(using=alias):
        model: type[models.Model] | None = None
        fields: list[models.Field] = []
        batch: list[list[Any]] = []
        digest = hashlib.sha256()
        for kind, payload in _records(reader):
            if kind == b"R":
                batch.append(json.loads(payload))
                if len(batch) >= INSERT_BATCH * 4:
                    assert model is not None
                    _insert(model, fields, batch, alias)
                    batch = []
            elif kind == b"H":
                head = json.loads(payload)
                if head["migrations"] != expected_migrations:
                    raise BackupError(
                        "备份的数据库结构（迁移）与当前代码不一致："
                        f"备份 {len(head['migrations'])} 个迁移，当前 {len(expected_migrations)} 个"
                    )
            elif kind == b"T":
                head = json.loads(payload)
                model = apps.get_model(head["model"])
                by_attname = {f.attname: f for f in _columns(model)}
                if set(head["fields"]) != set(by_attname):
                    raise BackupError(f"{head['model']} 的字段与当前代码不一致")
                fields = [by_attname[name] for name in head["fields"]]
                restored_models.append(model)
            elif kind == b"E":
                assert model is not None
                if batch:
                    _insert(model, fields, batch, alias)
                    batch = []
                in_stream[model._meta.label] = json.loads(payload)
                model = None
            elif kind == b"F":
                if media_root is None:
                    continue
                rel = Path(json.loads(payload)["path"])
                if rel.is_absolute() or ".." in rel.parts:
                    raise BackupError(f"备份中的文件路径不安全：{rel}")
                target = media_root / rel
                media_out = open_private(target, "wb")  # 0600 in folders made 0700
                digest = hashlib.sha256()
            elif kind == b"D":
                if media_out is not None:
                    media_out.write(payload)
                    digest.update(payload)
            elif kind == b"G":
                if media_out is not None:
                    media_out.close()
                    media_out = None
                    meta = json.loads(payload)
                    if digest.hexdigest() != meta["sha256"]:
                        report.problems.append(f"文件 {meta['path']} 的 SHA-256 不符")
                    report.media_files += 1
            elif kind == b"M":
                report.manifest = json.loads(payload)
            else:
                raise BackupError(f"未知的记录类型 {kind!r}")
        if not report.manifest:
            raise BackupError("备份缺少清单（manifest）")
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                for sql in conn.ops.sequence_reset_sql(no_style(), restored_models):
                    cursor.execute(sql)
    if verify:
        verify_restored(alias, report, in_stream)
    return report


def verify_restored(alias: str, report: RestoreReport, in_stream: dict[str, dict[str, Any]]) -> None:
    manifest = report.manifest
    for label, expected in manifest["tables"].items():
        if in_stream.get(label, {}).get("sha256") != expected["sha256"]:
            report.problems.append(f"{label}: 清单与数据流不一致")
        got = table_summary(apps.get_model(label), alias)
        ok = got == {"rows": expected["rows"], "sha256": expected["sha256"]}
        report.tables[label] = {**got, "expected_rows": expected["rows"], "ok": ok}
        if not ok:
            report.problems.append(f"{label}: 行数 {got['rows']}（应为 {expected['rows']}）或内容指纹不符")
    if manifest.get("media", {}).get("files", 0) != report.media_files and report.media_files:
        report.problems.append("媒体文件数量与清单不符")
    chain = manifest.get("audit_chain")
    restored = audit_chain_head(alias)
    # Only the keys the backup recorded: older backups carry the head without its count.
    if chain is not None and {k: restored.get(k) for k in chain} != chain:
        report.problems.append(
            f"审计链末端与备份清单不符：清单为第 {chain.get('last_id')} 条（共 {chain.get('count', '?')} 条），"
            f"恢复后为第 {restored['last_id']} 条（共 {restored['count']} 条）"
        )
    if chain is not None:
        problem = _verify_audit_chain(alias)
        if problem:
            report.problems.append(problem)


def _verify_audit_chain(alias: str) -> str:
    """Walk the restored audit chain with the audit app's own HMAC (audit.chain), when it has one."""
    compute = getattr(chain, "compute", None)
    key_fn = getattr(chain, "chain_key", None)
    if compute is None or key_fn is None:
        return ""
    key = key_fn()
    previous, last_id = "", 0
    with contextlib.suppress(LookupError):
        anchor_model = apps.get_model("audit", "AuditAnchor")
        newest = anchor_model._base_manager.using(alias).order_by("-id").first()
        if newest is not None:
            previous, last_id = newest.last_purged_hmac, newest.last_purged_id
    events = apps.get_model(AUDIT_LABEL)._base_manager.using(alias)
    while True:
        batch = list(events.filter(id__gt=last_id).order_by("id")[:2000])
        if not batch:
            return ""
        for row in batch:
            if not getattr(row, CHAIN_FIELD):
                return (
                    ""  # the rows after it wait for the sealer (audit.chain.seal); audit_verify judges them
                )
            if compute(row, previous, key) != getattr(row, CHAIN_FIELD):
                return f"审计链在第 {row.pk} 行断开"
            previous = getattr(row, CHAIN_FIELD)
        last_id = batch[-1].pk


def open_backup(path: Path) -> IO[bytes]:
    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from exc


__all__ = ["BackupError", "SealedError", "backup_to_file", "restore", "target_database", "write_backup"]
