"""Maintenance of the audit trail, reachable only from the command line (manage.py audit_purge).

The append-only triggers refuse DELETE for everyone, the web application included. The one way past
them is `purge_expired`: inside a single transaction it takes the chain lock, lifts the triggers, deletes
the rows older than the retention (never younger than MIN_RETENTION_DAYS), records the anchor the chain
restarts from, puts the triggers back and appends an audit event about the purge. It refuses a chain that
is broken or lost its tail (audit.checkpoint), and moves the checkpoint to the purge event afterwards. If anything fails,
the transaction rolls back with the triggers in place (DDL is transactional on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import chain, checkpoint
from audit.models import AuditAnchor, AuditEvent
from audit.services import record_event

MIN_RETENTION_DAYS = 180
_triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")


class PurgeRefused(Exception):
    pass


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """Run the block with the append-only triggers off; call inside transaction.atomic()."""
    if not connection.in_atomic_block:
        raise RuntimeError("the audit triggers may only be lifted inside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _triggers.SQLITE_DOWN:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _triggers.SQLITE_UP:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def retention_days() -> int:
    return int(settings.XIANFENG_AUDIT_RETENTION_DAYS)


@dataclass
class PurgeResult:
    count: int
    last_purged_id: int | None
    cutoff: dt.datetime


def purge_expired(*, operator: str, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the oldest rows, those older than the retention, as a prefix of the chain."""
    days = retention_days()
    if days < MIN_RETENTION_DAYS:
        raise PurgeRefused(f"审计记录保留期不得少于{MIN_RETENTION_DAYS}天（当前配置 {days} 天）")
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        chain.lock()
        chain.seal()  # the prefix to cut is a prefix of the sealed chain
        checked = chain.verify()
        if not checked.ok:
            raise PurgeRefused(f"审计链在第 {checked.broken_id} 条记录处断裂，拒绝清理（请先调查）")
        try:
            _, problem = checkpoint.check()
        except checkpoint.CheckpointError as exc:
            problem = str(exc)
        if problem:
            raise PurgeRefused(f"{problem}；拒绝清理（请先调查）")
        # Only a prefix of the chain may go: every row up to the first one inside the retention.
        first_young = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("id").values("id").first()
        old = AuditEvent.objects.all()
        if first_young is not None:
            old = old.filter(id__lt=first_young["id"])
        last = old.order_by("-id").values_list("id", "chain_hmac").first()
        if last is None:
            return PurgeResult(0, None, cutoff)
        count = old.count()
        if dry_run:
            return PurgeResult(count, last[0], cutoff)
        AuditAnchor.objects.create(
            created_at=now,
            last_purged_id=last[0],
            last_purged_hmac=last[1],
            purged_count=count,
            retention_days=days,
        )
        with triggers_lifted():
            old.filter(id__lte=last[0]).delete()
        record_event(
            actor=None,
            actor_name=operator or "manage.py",
            action=AuditEvent.Action.PURGE,
            summary={
                "count": count,
                "last_purged_id": last[0],
                "anchor_hmac": last[1],
                "retention_days": days,
                "cutoff": cutoff.isoformat(),
            },
        )
    checkpoint.advance()  # committed: the new head (the purge event) is the one to keep
    return PurgeResult(count, last[0], cutoff)
