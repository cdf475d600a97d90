"""公示 (D-22) and the 反映意见 received during it: recording an objection, closing it with how it was
handled, and the check that holds the next step while one is open or has been upheld."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from development import defaults as d
from development import rules
from development.models import Notice, NoticeObjection, Person, Stage
from development.services.common import Errors, add_step, check_day, require_branch_write
from orgs.access import Actor

# The stage at which each notice is open to objections (it stays open until the step it precedes).
NOTICE_STAGE = {Notice.CANDIDATE: Stage.ACTIVIST, Notice.PROBATION: Stage.CANDIDATE}
NOTICE_FIELD = {Notice.CANDIDATE: "candidate_notice_on", Notice.PROBATION: "probation_notice_on"}


@dataclass(frozen=True)
class NoticeInfo:
    """A published notice as the page shows and prints it."""

    kind: Notice
    starts_on: dt.date
    last_day: dt.date | None  # None when the notice period is set to 0 (no notice required)
    working_days: int

    @property
    def label(self) -> str:
        return str(self.kind.label)


def notices_of(person: Person) -> list[NoticeInfo]:
    days = d.setting("NOTICE_WORKING_DAYS")
    found = []
    for kind in Notice:
        starts_on = getattr(person, NOTICE_FIELD[kind])
        if starts_on is not None:
            last = rules.notice_last_day(starts_on, days) if days else None
            found.append(NoticeInfo(kind, starts_on, last, days))
    return found


# How long an ended notice stays on the branch's board after its last day.
BOARD_KEEP_DAYS = 30


@dataclass(frozen=True)
class BoardEntry:
    person: Person
    notice: NoticeInfo
    on_display: bool  # the notice period has not ended (or has no fixed end) and the step is still ahead


def board_of(path: str, today: dt.date) -> list[BoardEntry]:
    """党务公开: the 公示 of the people developed under a branch (by org path), those on display first, then the
    ones that ended within BOARD_KEEP_DAYS, newest first."""
    people = Person.objects.filter(org__path__startswith=path).select_related("org")
    people = people.exclude(candidate_notice_on__isnull=True, probation_notice_on__isnull=True)
    entries = []
    for person in people:
        for info in notices_of(person):
            open_now = open_to_objections(person, info.kind)
            on_display = open_now and (info.last_day is None or info.last_day >= today)
            if on_display or (info.last_day or info.starts_on) >= today - dt.timedelta(days=BOARD_KEEP_DAYS):
                entries.append(BoardEntry(person, info, on_display))
    entries.sort(key=lambda e: (not e.on_display, -e.notice.starts_on.toordinal(), e.person.pk))
    return entries


def _lock(person: Person) -> Person:
    return Person.objects.select_for_update().select_related("org").get(pk=person.pk)


def open_to_objections(person: Person, notice: Notice) -> bool:
    if person.stage != NOTICE_STAGE[notice] or getattr(person, NOTICE_FIELD[notice]) is None:
        return False
    return not (notice == Notice.PROBATION and person.resolution_on)


@transaction.atomic
def record_objection(
    *,
    actor: Actor | None,
    person: Person,
    notice: str,
    received_on: dt.date,
    received_by: str,
    content: str,
    source: str = "",
    backdate_reason: str = "",
) -> NoticeObjection:
    """A 反映意见 received during the notice (or after it, before the step it precedes is taken)."""
    person = _lock(person)
    require_branch_write(actor, person)
    if notice not in Notice.values:
        raise ValidationError({"notice": ["公示类别无效"]})
    kind = Notice(notice)
    if not open_to_objections(person, kind):
        raise ValidationError({"__all__": [f"该同志当前没有进行中的“{kind.label}”，不能登记反映意见"]})
    starts_on: dt.date = getattr(person, NOTICE_FIELD[kind])
    errors = Errors()
    check_day(
        errors,
        "received_on",
        received_on,
        label="受理日期",
        after=starts_on,
        after_label="公示开始日期",
        backdate_reason=backdate_reason,
    )
    if not received_by.strip():
        errors.add("received_by", "请填写受理人")
    if not content.strip():
        errors.add("content", "请填写反映内容")
    errors.raise_if_any()
    item = NoticeObjection.objects.create(
        person=person,
        notice=kind,
        notice_on=starts_on,
        received_on=received_on,
        received_by=received_by.strip(),
        source=source.strip(),
        content=content.strip(),
        recorded_by_id=getattr(actor, "pk", None),
    )
    add_step(
        actor=actor,
        person=person,
        action="受理公示反映意见",
        on=received_on,
        note=f"{kind.label}期间，受理人：{item.received_by}",
        backdate_reason=backdate_reason,
        objection=item.pk,
    )
    return item


@transaction.atomic
def resolve_objection(
    *,
    actor: Actor | None,
    objection: NoticeObjection,
    resolved_on: dt.date,
    handling: str,
    outcome: str,
    backdate_reason: str = "",
) -> NoticeObjection:
    """Close an objection with how it was looked into and the outcome (once: the result is history)."""
    person = _lock(objection.person)
    require_branch_write(actor, person)
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise ValidationError({"__all__": ["该反映意见已办结"]})
    errors = Errors()
    if outcome not in NoticeObjection.Outcome.values:
        errors.add("outcome", "请选择处理结果")
    if not handling.strip():
        errors.add("handling", "请填写调查处理情况")
    check_day(
        errors,
        "resolved_on",
        resolved_on,
        label="办结日期",
        after=objection.received_on,
        after_label="受理日期",
        backdate_reason=backdate_reason,
    )
    errors.raise_if_any()
    objection.handling = handling.strip()
    objection.outcome = outcome
    objection.resolved_on = resolved_on
    objection.resolved_by_id = getattr(actor, "pk", None)
    objection.save(update_fields=["handling", "outcome", "resolved_on", "resolved_by", "updated_at"])
    add_step(
        actor=actor,
        person=person,
        action="公示反映意见办结",
        on=resolved_on,
        note=objection.get_outcome_display(),
        backdate_reason=backdate_reason,
        objection=objection.pk,
        outcome=outcome,
    )
    return objection


def objection_errors(person: Person, notice: Notice, what: str) -> list[str]:
    """D-22: the step after a notice waits while an objection to that notice is open, and is refused
    when one was found to bar development."""
    starts_on = getattr(person, NOTICE_FIELD[notice])
    if starts_on is None:
        return []
    items = list(
        NoticeObjection.objects.filter(person=person, notice=notice, notice_on=starts_on).values_list(
            "resolved_on", "outcome"
        )
    )
    found = []
    if open_count := sum(1 for resolved_on, _ in items if resolved_on is None):
        found.append(rules.msg("D-22", f"公示期间收到的反映意见尚有{open_count}件未办结，办结后方可{what}"))
    if any(outcome == NoticeObjection.Outcome.UPHELD for _, outcome in items):
        found.append(rules.msg("D-22", f"公示反映的问题经核实影响发展，不能{what}"))
    return found
