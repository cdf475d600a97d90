"""Writes for the tree: organizations, one at a time (pages, API) and in bulk (imports, the demo county)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import diff, record_event, snapshot
from orgs import reference
from orgs.access import Actor, covers
from orgs.models import Organization
from orgs.paths import PATH_STEP, encode_step

# The unit side of the 党组织和所在单位基本信息采集表 (forms, API, the tree file, exports read this).
ORG_UNIT_FIELDS = [
    "unit_name",
    "unit_credit_code",
    "unit_economic_type",
    "enterprise_size",
    "unit_staff_count",
    "unit_address",
]
ORG_AUDIT_FIELDS = [
    "name",
    "short_name",
    "code",
    "kind",
    "unit_category",
    "unit_situation",
    "secretary_name",
    "contact_name",
    "contact_phone_masked",
    "established_on",
    "has_committee",
    "term_started_on",
    "term_years",
    *ORG_UNIT_FIELDS,
]


def require_write(actor: Actor, org: Organization) -> None:
    if not covers(actor, org.path, write=True):
        raise PermissionDenied("您无权修改该组织")


def require_write_all(actor: Actor | None, orgs: Iterable[Organization]) -> None:
    """`actor` None is the system itself (the demo generator, a command run by an operator)."""
    if actor is None:
        return
    for path in {org.path for org in orgs}:
        if not covers(actor, path, write=True):
            raise PermissionDenied("您无权修改该组织")


@transaction.atomic
def create_organization(
    *, actor: Actor, parent: Organization | None, contact_phone: str = "", **fields: Any
) -> Organization:
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied("只有系统管理员可以创建顶级组织")
        last = (
            Organization.objects.filter(parent__isnull=True)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        path = encode_step(int(last, 36) + 1 if last else 1)
    else:
        require_write(actor, parent)
        # Lock the parent so concurrent creations get distinct child numbers.
        parent = lock_rows(Organization.objects).get(pk=parent.pk)
        parent.child_seq += 1
        parent.save(update_fields=["child_seq"])
        path = parent.path + encode_step(parent.child_seq)
    org = Organization(parent=parent, path=path, depth=len(path) // 4, **fields)
    org.set_contact_phone(contact_phone)
    check_fields(org)
    org.full_clean()
    org.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=org,
        org=org,
        summary=snapshot(org, ORG_AUDIT_FIELDS),
    )
    return org


def check_fields(org: Organization) -> None:
    org.unit_credit_code = (org.unit_credit_code or "").replace(" ", "").upper()
    # A term beyond 10 years is a typo, and 10,000+ would overflow the term's end date (found by API fuzzing).
    if org.term_years is not None and not 1 <= org.term_years <= 10:
        raise ValidationError({"term_years": ["届期应为 1 至 10 年"]})


@transaction.atomic
def update_organization(
    *, actor: Actor, org: Organization, contact_phone: str | None = None, **fields: Any
) -> Organization:
    require_write(actor, org)
    before = snapshot(org, ORG_AUDIT_FIELDS)
    for name, value in fields.items():
        setattr(org, name, value)
    check_fields(org)
    if contact_phone is not None:
        org.set_contact_phone(contact_phone)
    org.full_clean()
    org.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=org,
        org=org,
        summary=diff(before, snapshot(org, ORG_AUDIT_FIELDS)),
    )
    return org


# ---------------------------------------------------------------- bulk paths (imports, the demo county)
# The same rules as the one-at-a-time services above, checked for a whole batch with a bounded number of
# queries. They record no audit row per object: the caller records one event for the batch.


def add_organizations(
    *, actor: Actor | None, parents: dict[int, Organization], rows: list[Organization]
) -> None:
    """Insert new organizations under saved `parents` (by id), one tree level at a time.

    Each row's path must be its parent's path plus one step numbered after the parent's last child
    (create_organization's rule); the parents' child counters are moved past the new children. Roots
    (parent None) are allowed to the system only.
    """
    if any(row.parent_id is None for row in rows) and actor is not None and not actor.is_superuser:
        raise PermissionDenied("只有系统管理员可以创建顶级组织")
    require_write_all(actor, parents.values())
    last_step: dict[int, int] = {}
    for row in rows:
        parent = parents.get(row.parent_id) if row.parent_id is not None else None
        if row.parent_id is not None and parent is None:
            raise ValidationError({"parent": [f"{row.name}：上级组织不存在"]})
        prefix = parent.path if parent is not None else ""
        step = row.path[len(prefix) :]
        if (
            not row.path.startswith(prefix)
            or len(step) != PATH_STEP
            or row.depth != len(row.path) // PATH_STEP
        ):
            raise ValidationError({"path": [f"{row.name}：组织路径应为上级路径加一级"]})
        if parent is not None:
            number = int(step, 36)
            if number <= parent.child_seq:
                raise ValidationError({"path": [f"{row.name}：组织编号与上级已有下级重复"]})
            last_step[parent.pk] = max(last_step.get(parent.pk, 0), number)
        check_fields(row)
        row.full_clean(exclude=["parent"], validate_unique=False)
    Organization.objects.bulk_create(rows)
    for pk, number in last_step.items():
        parents[pk].child_seq = number
    Organization.objects.bulk_update([parents[pk] for pk in last_step], ["child_seq"])
    reference.bump()  # bulk writes send no signal
