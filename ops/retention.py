"""Deletion of a member's personal data once its retention period has passed (PIPL 第四十七条). It lives in
ops, above the apps, because the data has copies in several of them (the member file, the SMS outbox).

A member who left the party (出党) or died keeps a record: meeting attendance, points and historical
rosters refer to them. What is purged after settings.MEMBER_DATA_RETENTION_YEARS from `left_on`:

- the ID number: ciphertext, keyed hash (replaced by a unique `purged:<id>` marker) and masked form;
- the phone: ciphertext, keyed hash and masked form, and copies in the SMS outbox;
- the day and month of birth (the year stays, for age statistics), the occupation and the reason for
  exemption (which may describe health);
- the name too when settings.MEMBER_PURGE_NAME is on (replaced by 已清除党员#<id>). It is off by
  default because the party's own archive rules keep names of former members on historical records.

The overwrite happens in one transaction and is audited without the data (which fields, the reason,
the retention period). SQLite runs with `secure_delete=ON`, so the old values are zeroed in freed
space; `purge_personal_data --vacuum` then rewrites the file (VACUUM) and empties the WAL, which
removes every remaining copy from the database file. On PostgreSQL the old row versions stay in the
table until `VACUUM FULL` rewrites it (also done by `--vacuum`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

import personal
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from orgs.access import Actor, covers
from orgs.models import Member

PURGED_FIELDS = [
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "birth_date",
    "occupation",
    "exempt_reason",
]
LEFT_STATUSES = (Member.Status.LEFT, Member.Status.DECEASED)


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """Members who left on or before this day are past the retention period."""
    today = today or timezone.localdate()
    years = settings.MEMBER_DATA_RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def eligible_members(today: dt.date | None = None) -> QuerySet[Member]:
    return Member.objects.filter(
        status__in=LEFT_STATUSES,
        left_on__isnull=False,
        left_on__lte=retention_cutoff(today),
        personal_data_purged_at__isnull=True,
    ).order_by("left_on", "id")


def undated_left_members() -> QuerySet[Member]:
    """Left or deceased members with no leaving date: never purged until someone records the date."""
    return Member.objects.filter(
        status__in=LEFT_STATUSES, left_on__isnull=True, personal_data_purged_at__isnull=True
    )


@transaction.atomic
def purge_member_personal_data(*, actor: Actor | None, member: Member, reason: str) -> Member:
    """Overwrite and clear the member's personal data; `actor` None is the scheduled job (system)."""
    if actor is not None and not covers(actor, member.org.path, write=True):
        raise PermissionDenied("您无权修改该组织")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ["请说明清除原因"]})
    member = lock_rows(Member.objects).get(pk=member.pk)
    if member.personal_data_purged_at is not None:
        raise ValidationError("该党员的个人信息已清除")
    if member.status not in LEFT_STATUSES or member.left_on is None:
        raise ValidationError("只有已出党或去世、且记录了日期的党员才能清除个人信息")
    if member.left_on > retention_cutoff():
        raise ValidationError(f"保存期限（{settings.MEMBER_DATA_RETENTION_YEARS} 年）未满，不能清除")

    phone_masked = member.phone_masked
    phone = personal.decrypt(member.phone_enc) if member.phone_enc else ""
    member.id_number_enc = ""
    member.id_number_hash = f"purged:{member.pk}"  # unique and never a real keyed hash
    member.id_number_masked = ""
    member.phone_enc = member.phone_hash = member.phone_masked = ""
    member.birth_date = member.birth_date.replace(month=1, day=1)
    member.occupation = ""
    member.exempt_reason = ""
    fields = list(PURGED_FIELDS)
    if settings.MEMBER_PURGE_NAME:
        member.name = f"已清除党员#{member.pk}"
        fields.append("name")
    member.personal_data_purged_at = timezone.now()
    member.save(update_fields=[*fields, "personal_data_purged_at", "updated_at"])
    outbox = _purge_outbox_phone(phone_masked, phone)

    record_event(
        actor=actor,
        actor_name="" if actor is not None else "system:purge_personal_data",
        action=AuditEvent.Action.DELETE,
        target=member,
        target_repr=f"党员#{member.pk} 个人信息",
        org=member.org,
        summary={
            "purged": fields,
            "sms_outbox_rows": outbox,
            "reason": reason,
            "left_on": member.left_on.isoformat(),
            "retention_years": settings.MEMBER_DATA_RETENTION_YEARS,
        },
    )
    return member


def _purge_outbox_phone(phone_masked: str, phone: str) -> int:
    """Clear this phone number from queued or sent SMS rows (matched by masked form, then decrypted)."""
    if not phone:
        return 0
    ids = [
        pk
        for pk, enc in Message.objects.filter(phone_masked=phone_masked)
        .exclude(phone_enc="")
        .values_list("pk", "phone_enc")
        if personal.decrypt(enc) == phone
    ]
    if ids:
        Message.objects.filter(pk__in=ids).update(phone_enc="", phone_masked="")
    return len(ids)


def compact_database() -> None:
    """Rewrite the database so no freed page keeps an old value (SQLite VACUUM; PostgreSQL VACUUM FULL)."""
    if connection.in_atomic_block:
        raise RuntimeError("compact_database must run outside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for table in (Member._meta.db_table, Message._meta.db_table):
                cursor.execute(f"VACUUM FULL {connection.ops.quote_name(table)}")
