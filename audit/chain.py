"""The tamper-evident audit chain: each row's HMAC-SM3 covers its content and the previous row's HMAC.

    chain_hmac(row) = HMAC-SM3(key, previous chain_hmac + "\\n" + canonical JSON of every field)

- The key: XIANFENG_AUDIT_KEY (hex), else derived from PII_KEY (HMAC-SM3 of a fixed label), so it is
  never stored in the database next to the rows it protects.
- Appending takes a lock so concurrent transactions still chain one after the other: PostgreSQL
  `pg_advisory_xact_lock` (held to commit), SQLite `BEGIN IMMEDIATE` (the settings' transaction
  mode: one writer at a time). The previous row is read inside that lock.
- Rows are chained in id order; the id is part of the content, so it is chosen inside the lock.
- After a purge (audit_purge) the chain starts at the newest AuditAnchor: the HMAC of the last
  purged row, which the purge's own audit event records too.
- `verify` streams the table in id batches and returns the first row whose HMAC does not match.
- Rows cut from the END leave a shorter chain that still verifies: audit.checkpoint keeps the head
  (id, HMAC, count) in a signed file outside the database, and audit_verify compares the two.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models
from django.db.models import QuerySet

CONTENT_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "ip",
    "org_id",
    "org_path",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "summary",
)
LOCK_ID = 0x58464155  # "XFAU": the advisory lock number of the audit chain (PostgreSQL)
_LABEL = b"xianfeng audit chain v1"
_M = TypeVar("_M", bound=models.Model)


def chain_key() -> bytes:
    configured = getattr(settings, "XIANFENG_AUDIT_KEY", "")
    if configured:
        return bytes.fromhex(configured)
    mac = crypto_hmac.HMAC(bytes.fromhex(settings.PII_KEY), hashes.SM3())
    mac.update(_LABEL)
    return mac.finalize()


def json_safe(summary: Any) -> Any:
    """What a JSON column gives back: the form both the stored row and the HMAC use."""
    return json.loads(json.dumps(summary or {}, cls=DjangoJSONEncoder))


def _value(row: Any, name: str) -> Any:
    value = getattr(row, name)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "summary":
        return value if value is not None else {}
    return value


def canonical(row: Any) -> bytes:
    """Deterministic JSON of every content field (sorted keys, no spaces, UTF-8)."""
    data = {name: _value(row, name) for name in CONTENT_FIELDS}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute(row: Any, previous: str, key: bytes | None = None) -> str:
    mac = crypto_hmac.HMAC(key or chain_key(), hashes.SM3())
    mac.update(previous.encode() + b"\n" + canonical(row))
    return mac.finalize().hex()


def lock(using: Any = None) -> None:
    """Serialize appends to the chain until the end of the current transaction."""
    conn = using or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
    # SQLite: the surrounding transaction began IMMEDIATE and already holds the write lock.


def lock_rows(rows: QuerySet[_M] | models.Manager[_M]) -> QuerySet[_M]:
    """`rows` locked for a write that may also append to the audit trail, in the one global lock order.

    Order: the audit chain lock first, then the rows. A transaction that locked a row and then waited for
    the chain, while another held the chain and waited for that row, was a deadlock (PostgreSQL aborts
    one: the load test's 503s). Taking the chain first (it is held to commit anyway once the transaction
    writes its audit row) makes that cycle impossible.

    Rows are locked FOR NO KEY UPDATE and only the model's own table (of self): enough to serialize
    writers of the row, while inserts that merely reference it (a foreign key checks with FOR KEY SHARE,
    deferred to COMMIT in Django's PostgreSQL schema) never wait on it. SQLite ignores row locks; its
    transactions begin IMMEDIATE, one writer at a time.
    """
    queryset = rows.all()
    lock(connections[queryset.db])
    return queryset.select_for_update(no_key=True, of=("self",))


def anchor(using: str = "default") -> tuple[int, str]:
    """(id of the last purged row, its HMAC): the chain's starting point; (0, "") before any purge."""
    from audit.models import AuditAnchor

    last = AuditAnchor.objects.using(using).order_by("-id").first()
    return (last.last_purged_id, last.last_purged_hmac) if last else (0, "")


def next_link() -> tuple[int, str]:
    """(id for the new row, previous HMAC); call inside `lock()`."""
    from audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("id", "chain_hmac").first()
    if last is not None:
        return last[0] + 1, last[1]
    anchored_id, anchored_hmac = anchor()
    return anchored_id + 1, anchored_hmac


@dataclass
class Result:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    head_id: int = 0  # the last row that verified (the anchor's id when none did)

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(batch: int) -> Iterator[Any]:
    from audit.models import AuditEvent

    start_id, _ = anchor()
    last_id = start_id
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id


def verify(*, batch: int = 2000) -> Result:
    """Walk the chain from the anchor; the first row whose HMAC does not match breaks it."""
    key = chain_key()
    start_id, previous = anchor()
    if start_id and not _anchor_recorded(start_id, previous):
        return Result(0, start_id, "清理锚点与审计链中的清理记录不符（锚点表被改动）")
    checked, head_id = 0, start_id
    for row in _rows(batch):
        if compute(row, previous, key) != row.chain_hmac:
            return Result(checked, row.id, "内容或链接被修改，或其前一条记录被删除", head_id)
        previous = row.chain_hmac
        checked += 1
        head_id = row.id
    return Result(checked, head_id=head_id)


def anchor_recorded(using: str = "default") -> bool:
    """The newest anchor is one a purge wrote into the chain (true when there is no anchor)."""
    start_id, anchor_hmac = anchor(using)
    return not start_id or _anchor_recorded(start_id, anchor_hmac, using)


def _anchor_recorded(last_purged_id: int, anchor_hmac: str, using: str = "default") -> bool:
    """The purge that made the anchor wrote it into the chain too: the anchor table alone proves nothing."""
    from audit.models import AuditEvent

    purges = AuditEvent.objects.using(using).filter(action=AuditEvent.Action.PURGE, id__gt=last_purged_id)
    return any(
        e.get("anchor_hmac") == anchor_hmac and e.get("last_purged_id") == last_purged_id
        for e in purges.values_list("summary", flat=True)
    )
