"""What every development service shares: permission checks, date checks, the step history row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from development import defaults as d
from development.models import Person, Stage, Step
from orgs.access import Actor, covers, holds
from orgs.roles import Role

APPROVER_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN})


class Errors:
    """Collects {field: [messages]}; raise_if_any() raises them as one ValidationError (nothing saved)."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.items.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)


def require_branch_write(actor: Actor | None, person: Person) -> None:
    if actor is not None and not covers(actor, person.org.path, write=True):
        raise PermissionDenied("您无权办理该支部的发展党员事项")


def require_approver(actor: Actor | None, person: Person) -> None:
    """党委 approval (D-13, D-17): a 党(工)委 or 组织部 administrator above the branch."""
    if actor is not None and not holds(actor, APPROVER_ROLES, person.org.path):
        raise PermissionDenied("审批须由上级党(工)委办理")


def check_day(
    errors: Errors,
    field: str,
    day: dt.date | None,
    *,
    label: str,
    after: dt.date | None = None,
    after_label: str = "",
    backdate_reason: str = "",
    today: dt.date | None = None,
) -> None:
    """A step's date: given, not in the future, not before the previous step, and a reason when it is
    entered more than BACKDATE_DAYS after the fact (the reason is kept and audited)."""
    today = today or timezone.localdate()
    if day is None:
        errors.add(field, f"请填写{label}")
        return
    if day > today:
        errors.add(field, f"{label}不能晚于今天")
    if after is not None and day < after:
        errors.add(field, f"{label}不能早于{after_label}（{after:%Y-%m-%d}）")
    days = d.setting("BACKDATE_DAYS")
    if day < today - dt.timedelta(days=days) and not backdate_reason.strip():
        errors.add("backdate_reason", f"{label}早于今天{days}天以上，属于补录，请说明补录原因")


def require_stage(person: Person, *stages: str, action: str) -> None:
    if person.stage not in stages:
        names = "、".join(str(Stage(s).label) for s in stages)
        raise ValidationError(
            {"__all__": [f"{action}须在“{names}”阶段办理，该同志当前为“{person.get_stage_display()}”"]}
        )


def add_step(
    *,
    actor: Actor | None,
    person: Person,
    action: str,
    on: dt.date,
    note: str = "",
    backdate_reason: str = "",
    **summary: Any,
) -> Step:
    step = Step.objects.create(
        person=person,
        action=action,
        on=on,
        note=note,
        backdate_reason=backdate_reason.strip(),
        actor_id=actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=person,
        org=person.org,
        summary={
            "event": f"development.{action}",
            "on": on.isoformat(),
            "backdate_reason": backdate_reason.strip(),
            **summary,
        },
        actor_name="" if actor is not None else "system",
    )
    return step
