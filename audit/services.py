"""Writing audit events. Every service that changes data calls record_event in its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit import chain
from audit.context import current_ip
from audit.models import AuditEvent


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """A small, JSON-safe before/after summary of the named fields (masked values only)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[name] = value
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    return {"changed": changed}


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_repr: str = "",
    org: Any = None,
    summary: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        created_at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_name=actor_name or (actor.get_username() if authenticated else ""),
        ip=ip if ip is not None else current_ip.get(),
        org_id=org.pk if org is not None else None,
        org_path=org.path if org is not None else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:200],
        summary=chain.json_safe(summary),
    )
    # The row as the database gives it back (IPv6 normalized), so verification recomputes the same HMAC.
    event.ip = AuditEvent._meta.get_field("ip").get_prep_value(event.ip)
    if not chain.seals_inline():
        # PostgreSQL: inserted unchained, committed or rolled back with the write; audit.chain.seal chains
        # it after commit, so writers never queue behind one lock.
        chain.insert_unsealed(event)
        return event
    # SQLite: one writer at a time, so the row is chained to the previous one as it is inserted.
    with transaction.atomic():
        chain.lock()
        event.id, previous = chain.next_link()
        event.chain_hmac = chain.compute(event, previous)
        event.save(force_insert=True)
    return event
