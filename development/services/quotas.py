"""发展党员名额: the annual development plan of a node, allocated by the 组织部 (county department
administrators), and the plan against the actual admissions (the 党委's approvals of the year).

RULES.md §4 has no rule on quotas: the plan is the department's decision, so going beyond it is a warning
at approval, or a refusal when the department sets DEVELOPMENT_QUOTA_HARD (defaults.LOCAL)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum

from audit.models import AuditEvent
from audit.services import record_event
from development import defaults as d
from development.models import Person, Quota
from development.services.common import Errors
from orgs.access import Actor, holds
from orgs.models import Organization
from orgs.paths import PATH_STEP
from orgs.roles import Role

ALLOCATOR_ROLES = frozenset({Role.DEPT_ADMIN})


def can_allocate(actor: Actor, org: Organization) -> bool:
    return holds(actor, ALLOCATOR_ROLES, org.path)


def admitted(org: Organization, year: int) -> int:
    """People of the subtree approved as 预备党员 in the year (the plan's actual)."""
    return Person.objects.filter(org__path__startswith=org.path, approved_on__year=year).count()


@transaction.atomic
def set_quota(*, actor: Actor | None, org: Organization, year: int, planned: int, note: str = "") -> Quota:
    """Allocate (or change) a node's plan for a year. The plans of a node's children together may not
    exceed the node's own plan, and a node's plan may not fall below what its children already hold."""
    if actor is not None and not can_allocate(actor, org):
        raise PermissionDenied("发展党员名额由组织部分配")
    errors = Errors()
    if planned < 0:
        errors.add("planned", "计划名额不能为负数")
    if not 2000 <= year <= 2100:
        errors.add("year", "年度无效")
    errors.raise_if_any()
    if org.parent_id is not None:
        parent = Quota.objects.select_for_update().filter(org_id=org.parent_id, year=year).first()
        if parent is not None:
            siblings = (
                Quota.objects.filter(org__parent_id=org.parent_id, year=year)
                .exclude(org=org)
                .aggregate(n=Sum("planned"))["n"]
                or 0
            )
            if siblings + planned > parent.planned:
                errors.add(
                    "planned",
                    f"下级名额合计{siblings + planned}名，超过上级“{parent.org.display_name}”"
                    f"{year}年计划{parent.planned}名",
                )
    children = Quota.objects.filter(org__parent=org, year=year).aggregate(n=Sum("planned"))["n"] or 0
    if planned < children:
        errors.add("planned", f"已分配给下级的名额合计{children}名，计划名额不能少于此数")
    errors.raise_if_any()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    quota, created = Quota.objects.update_or_create(
        org=org,
        year=year,
        defaults={
            "planned": planned,
            "note": note.strip(),
            "allocated_by_id": actor.pk if authenticated else None,  # type: ignore[union-attr]
        },
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=quota,
        org=org,
        summary={"event": "development.quota", "year": year, "planned": planned},
        actor_name="" if actor is not None else "system",
    )
    return quota


def overrun_messages(org: Organization, year: int, *, adding: int = 1) -> list[str]:
    """For each node on the branch's path with a plan for the year: a message when `adding` more
    admissions would exceed it."""
    out = []
    paths = [org.path[:n] for n in range(PATH_STEP, len(org.path) + 1, PATH_STEP)]
    for quota in Quota.objects.filter(year=year, org__path__in=paths).select_related("org"):
        done = admitted(quota.org, year)
        if done + adding > quota.planned:
            out.append(
                f"{quota.org.display_name}{year}年发展党员计划{quota.planned}名，"
                f"已审批{done}名，本次审批后超出计划（名额由组织部分配）"
            )
    return out


def quota_check(org: Organization, year: int) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one more admission in `org` in `year`, by the QUOTA_HARD setting."""
    messages = overrun_messages(org, year)
    return (messages, []) if d.setting("QUOTA_HARD") else ([], messages)
