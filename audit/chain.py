"""The tamper-evident audit chain: each row's HMAC-SM3 covers its content and the previous row's HMAC.

    chain_hmac(row) = HMAC-SM3(key, previous chain_hmac + "\\n" + canonical JSON of every field)

- The key: XIANFENG_AUDIT_KEY (hex), else derived from PII_KEY (HMAC-SM3 of a fixed label), so it is
  never stored in the database next to the rows it protects.
- Rows are chained in id order. How a row gets its link depends on the database:
  - SQLite has one writer at a time (transactions begin IMMEDIATE), so a row is chained as it is
    inserted: the previous row is read and the id chosen inside the writer's own transaction.
  - PostgreSQL: the business transaction inserts the row unchained (chain_hmac "", id from the
    sequence), so the audit row commits or rolls back with the write and writers never queue behind
    one lock. `seal` (one sealer at a time, pg_advisory_xact_lock) then chains committed rows in id
    order; see `seal` for why no later-committing lower id is ever skipped. AuditChainHead records how
    far it got; the sealing UPDATE is the one change the append-only trigger lets through.
- After a purge (audit_purge) the chain starts at the newest AuditAnchor: the HMAC of the last
  purged row, which the purge's own audit event records too.
- `verify` streams the table in id batches and returns the first row whose HMAC does not match, a
  sealed row whose chain value was blanked, or a row left unsealed longer than XIANFENG_AUDIT_SEAL_MINUTES.
- Rows cut from the END leave a shorter chain that still verifies: audit.checkpoint keeps the head
  (id, HMAC, count) in a signed file outside the database, and audit_verify compares the two.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

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


def seals_inline(using: Any = None) -> bool:
    """SQLite chains each row as it is inserted (one writer at a time anyway); PostgreSQL seals after commit."""
    return (using or connection).vendor != "postgresql"


def lock(using: Any = None, *, wait: bool = True) -> bool:
    """The chain lock until the end of the current transaction: the sealer's and the purge's (PostgreSQL).

    Writers no longer take it: they insert unchained rows. SQLite: the surrounding transaction began
    IMMEDIATE and already holds the write lock. Returns False when `wait` is off and another holds it.
    """
    conn = using or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            if not wait:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID])
                return bool(cursor.fetchone()[0])
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
    return True


_INSERTS: dict[str, tuple[str, list[tuple[str, Any]]]] = {}
# Fields whose value goes to psycopg as it is: the rest (the JSON summary, the IP) through the field.
_PLAIN = (models.CharField, models.BigIntegerField, models.DateTimeField)


def _insert_statement(conn: Any) -> tuple[str, list[tuple[str, Any]]]:
    """The INSERT of `insert_unsealed` and, per column, (attname, the field when its value needs the
    field's get_db_prep_save, else None): built once per connection alias, not per audit row."""
    cached = _INSERTS.get(conn.alias)
    if cached is not None:
        return cached
    from audit.models import AuditEvent

    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(conn.ops.quote_name(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO audit_auditevent (id, {columns}) "  # noqa: S608 (column names from the model)
        f"SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id')), {', '.join(['%s'] * len(fields))} "
        "FROM (SELECT pg_current_xact_id() AS xid OFFSET 0) AS claimed WHERE claimed.xid IS NOT NULL "
        "RETURNING id"
    )
    plan = [(str(f.attname), None if type(f) in _PLAIN else f) for f in fields]
    _INSERTS[conn.alias] = (sql, plan)
    return sql, plan


def insert_unsealed(event: Any, using: Any = None) -> None:
    """Insert `event` unchained, its id from the sequence taken AFTER its transaction has an id (PostgreSQL).

    The sealer's hole rule rests on that order: whoever holds an invisible id below a visible one already
    had a transaction id when the visible row was inserted, so it is in progress in any later snapshot or
    finished. One statement: the fenced subquery (OFFSET 0) is evaluated, and its row checked, before the
    outer row's nextval. On every audited write, so the statement and the per-column plan are built once
    (`_insert_statement`) and the connection is looked up once.
    """
    conn = using or connections[DEFAULT_DB_ALIAS]
    sql, plan = _insert_statement(conn)
    values = [
        getattr(event, name) if field is None else field.get_db_prep_save(getattr(event, name), conn)
        for name, field in plan
    ]
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        event.id = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = conn.alias


def lock_rows(rows: QuerySet[_M] | models.Manager[_M]) -> QuerySet[_M]:
    """`rows` locked for a write, FOR NO KEY UPDATE and only the model's own table (of self).

    Enough to serialize writers of the row, while inserts that merely reference it (a foreign key checks
    with FOR KEY SHARE, deferred to COMMIT in Django's PostgreSQL schema) never wait on it. It used to take
    the audit chain lock first (every writer appended to the chain under it); writers now insert unchained
    rows and no writer holds a chain lock, so no row lock can wait in a cycle with it. SQLite ignores row
    locks; its transactions begin IMMEDIATE, one writer at a time.
    """
    return rows.all().select_for_update(no_key=True, of=("self",))


def anchor(using: str = "default") -> tuple[int, str]:
    """(id of the last purged row, its HMAC): the chain's starting point; (0, "") before any purge."""
    from audit.models import AuditAnchor

    last = AuditAnchor.objects.using(using).order_by("-id").first()
    return (last.last_purged_id, last.last_purged_hmac) if last else (0, "")


def next_link() -> tuple[int, str]:
    """(id for the new row, previous HMAC) on SQLite, where rows are chained as inserted; call inside `lock()`."""
    from audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("id", "chain_hmac").first()
    if last is not None:
        return last[0] + 1, last[1]
    anchored_id, anchored_hmac = anchor()
    return anchored_id + 1, anchored_hmac


def sealed_through(using: str = "default") -> int:
    """The id up to which every row must be sealed: AuditChainHead on PostgreSQL, every row on SQLite."""
    from audit.models import AuditChainHead

    if seals_inline(connections[using]):
        return 2**63 - 1
    return AuditChainHead.objects.using(using).values_list("sealed_id", flat=True).first() or 0


def _last_sealed() -> tuple[int, str]:
    from audit.models import AuditEvent

    last = AuditEvent.objects.exclude(chain_hmac="").order_by("-id").values_list("id", "chain_hmac").first()
    return last if last is not None else anchor()


def _in_progress_xids(cursor: Any) -> list[str]:
    """The transactions, other than this one, that hold the audit table open in this database now.

    Whoever holds a hole's id locked the audit table (RowExclusiveLock, taken before its INSERT ran) and
    its own transaction id (ExclusiveLock, taken when the id was assigned), both until it ends. One read
    of pg_locks (materialized once, so both come from the same snapshot). Transactions elsewhere on the
    server, or here without an audit row, are not waited for.
    """
    cursor.execute(
        "WITH l AS MATERIALIZED (SELECT * FROM pg_locks) "
        "SELECT DISTINCT x.transactionid::text FROM l AS r JOIN l AS x ON x.pid = r.pid "
        "WHERE r.locktype = 'relation' AND r.relation = 'audit_auditevent'::regclass "
        "AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted "
        "AND r.pid <> pg_backend_pid()"
    )
    return [row[0] for row in cursor.fetchall()]


def _wait_for(cursor: Any, xids: list[str], timeout: float) -> bool:
    """Wait until none of `xids` is in progress; False on timeout. Polls every 10 ms: writers' transactions
    last about that long, and a tighter loop costs the writers CPU on a small machine."""
    deadline = time.monotonic() + timeout
    while xids:
        cursor.execute(
            "SELECT DISTINCT transactionid::text FROM pg_locks WHERE locktype = 'transactionid' "
            "AND mode = 'ExclusiveLock' AND granted AND transactionid::text = ANY(%s)",
            [xids],
        )
        xids = [row[0] for row in cursor.fetchall()]
        if xids:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
    return True


def _write_seals(cursor: Any, links: list[tuple[int, str]]) -> None:
    values = ", ".join(["(%s::bigint, %s)"] * len(links))
    cursor.execute(
        f"UPDATE audit_auditevent AS e SET chain_hmac = v.h FROM (VALUES {values}) AS v(id, h) "  # noqa: S608
        "WHERE e.id = v.id AND e.chain_hmac = ''",
        [item for link in links for item in link],
    )
    if cursor.rowcount != len(links):
        raise RuntimeError("audit rows changed while being sealed")


def seal(*, batch: int = 1000, wait: bool = True, timeout: float = 2.0) -> int:
    """Chain the committed unsealed rows in id order (PostgreSQL); returns how many were sealed.

    Ids come from a sequence, so a lower id may commit after a higher one. The sealer reads the rows
    above the last sealed one in id order (it sees only committed rows, or its own transaction's). A
    hole in the ids is a transaction still in progress or one that rolled back (or a sequence value
    lost in a crash). Every writer locked the audit table and took its transaction id before its row's
    id (`insert_unsealed`), so whoever holds a hole below a visible row still holds those locks after the
    read, or already finished. The sealer waits for the transactions holding them then, and reads the range
    again: rows that committed meanwhile are sealed in their place, holes still empty were rolled back
    and are passed over for good. If those transactions do not end within `timeout`, only the rows
    below the first hole are sealed and the rest wait for the next run. So a row is sealed only after
    its transaction committed, and a later-committing lower id is never skipped. Batches follow one
    another only while they come back full: rows committing after a short batch's read wait for the next
    run (audit_seal --loop: an interval later; the minute task), sealed together in one batch.

    One sealer at a time (the chain lock, per batch; `wait=False` returns 0 at once when another is
    sealing). Writers never wait for the sealer: it locks no business rows and updates only audit rows
    nobody else writes.
    """
    if seals_inline():
        return 0
    total = 0
    while True:
        sealed, more = _seal_batch(batch, wait, timeout)
        total += sealed
        if not more:
            return total


def _seal_batch(batch: int, wait: bool, timeout: float) -> tuple[int, bool]:
    """Seal up to `batch` rows in one transaction; (how many, whether to go on)."""
    from audit.models import AuditChainHead, AuditEvent

    with transaction.atomic(), connection.cursor() as cursor:
        if not lock(wait=wait):
            return 0, False
        last_id, previous = _last_sealed()
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return 0, False
        ids = [row.id for row in rows]
        complete = True
        if ids != list(range(last_id + 1, last_id + 1 + len(ids))):
            if _wait_for(cursor, _in_progress_xids(cursor), timeout):
                # Whoever held a hole below ids[-1] has finished: rows that committed meanwhile take
                # their place, holes still empty were rolled back.
                rows = list(AuditEvent.objects.filter(id__gt=last_id, id__lte=ids[-1]).order_by("id"))
            else:  # seal up to the first hole; the rest waits for the next run
                first_hole = next(i for i, row_id in enumerate(ids) if row_id != last_id + 1 + i)
                rows, complete = rows[:first_hole], False
        key = chain_key()
        links: list[tuple[int, str]] = []
        for row in rows:
            if row.chain_hmac:  # sealed above the last sealed row: not ours to touch (verify reports it)
                complete = False
                break
            previous = compute(row, previous, key)
            links.append((row.id, previous))
        if not links:
            return 0, False
        _write_seals(cursor, links)
        head = AuditChainHead.objects.order_by("id").first() or AuditChainHead()
        head.sealed_id = max(head.sealed_id, links[-1][0])
        head.updated_at = timezone.now()
        head.save()
        # On only when the read was a full batch (a backlog): a short read took every row committed by
        # then, and the next run (the loop's interval later) takes the next rows in one batch rather than
        # this one chasing each new commit at once, batch after small batch, on the writers' cores.
        return len(links), complete and len(ids) >= batch


@dataclass
class Result:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    head_id: int = 0  # the last row that verified (the anchor's id when none did)
    unsealed: int = 0  # rows after the head not sealed yet (PostgreSQL, younger than the limit)

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


def seal_limit() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.XIANFENG_AUDIT_SEAL_MINUTES))


def overdue_unsealed(using: str = "default") -> tuple[int, int | None]:
    """(how many rows wait for the sealer longer than XIANFENG_AUDIT_SEAL_MINUTES, the first one's id)."""
    from audit.models import AuditEvent

    rows = AuditEvent.objects.using(using).filter(
        id__gt=min(sealed_through(using), _last_sealed()[0]),
        chain_hmac="",
        created_at__lt=timezone.now() - seal_limit(),
    )
    return rows.count(), rows.order_by("id").values_list("id", flat=True).first()


def verify(*, batch: int = 2000) -> Result:
    """Walk the chain from the anchor; the first row whose HMAC does not match breaks it.

    Unsealed rows (PostgreSQL, between commit and the sealer) may only follow the sealed ones, above
    AuditChainHead; one older than XIANFENG_AUDIT_SEAL_MINUTES is a fault too (the sealer is not running,
    and the row stays open to change meanwhile).
    """
    key = chain_key()
    start_id, previous = anchor()
    if start_id and not _anchor_recorded(start_id, previous):
        return Result(0, start_id, "清理锚点与审计链中的清理记录不符（锚点表被改动）")
    through = sealed_through()
    checked, head_id = 0, start_id
    first_unsealed: Any = None
    oldest: dt.datetime | None = None
    unsealed = 0
    for row in _rows(batch):
        if not row.chain_hmac:
            if row.id <= through:
                return Result(checked, row.id, "已封存记录的链式校验值被清除", head_id)
            first_unsealed = first_unsealed or row
            oldest = min(oldest, row.created_at) if oldest else row.created_at
            unsealed += 1
            continue
        if first_unsealed is not None:
            return Result(
                checked, first_unsealed.id, "未封存记录之后出现已封存记录（链式校验值被清除）", head_id
            )
        if compute(row, previous, key) != row.chain_hmac:
            return Result(checked, row.id, "内容或链接被修改，或其前一条记录被删除", head_id)
        previous = row.chain_hmac
        checked += 1
        head_id = row.id
    if oldest is not None and oldest < timezone.now() - seal_limit():
        minutes = int(settings.XIANFENG_AUDIT_SEAL_MINUTES)
        reason = f"超过 {minutes} 分钟仍未封存（封存任务未运行），共 {unsealed} 条未封存"
        return Result(checked, first_unsealed.id, reason, head_id, unsealed)
    return Result(checked, head_id=head_id, unsealed=unsealed)


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
