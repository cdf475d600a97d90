"""学时 written by hand: a training with its attendees, an offline study session, and the L-07 exemption."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import personal
from audit.models import AuditEvent
from audit.services import record_event
from learning.models import Exemption, StudyEntry, Training
from learning.services.common import require_member_writer, require_writer
from orgs.models import Member, Organization
from orgs.paths import under_path_q
from orgs.services.roster import RosterFileError, SheetLayout, cell_text, header_text, read_data_rows
from personal import idcard

MAX_HOURS_PER_DAY = Decimal("12")


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def parse_hours(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@dataclass
class TrainingData:
    org: Organization
    name: str
    organizer: str
    starts_on: dt.date
    ends_on: dt.date
    hours: Decimal
    member_ids: list[int]


def training_errors(data: TrainingData, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "请填写培训名称"
    if not data.organizer.strip():
        errors["organizer"] = "请填写主办方"
    if data.ends_on < data.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    elif data.starts_on > today:
        errors["starts_on"] = "只能登记已经开始的培训"
    days = (data.ends_on - data.starts_on).days + 1
    if data.hours <= 0 or data.hours.as_tuple().exponent < -1:  # type: ignore[operator]
        errors["hours"] = "学时应为正数，最多一位小数"
    elif data.hours > MAX_HOURS_PER_DAY * max(days, 1):
        errors["hours"] = f"{days} 天的培训最多登记 {MAX_HOURS_PER_DAY * days} 学时"
    if not data.member_ids:
        errors["member_ids"] = "请至少选择一名参训党员"
    return errors


@transaction.atomic
def record_training(*, actor: Any, data: TrainingData, today: dt.date | None = None) -> Training:
    """A training and one 学时 line per attendee; every attendee must be a member under the organizer node."""
    require_writer(actor, data.org)
    errors = training_errors(data, today or timezone.localdate())
    ids = sorted(set(data.member_ids))
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids).select_related("org")}
    outside = [i for i in ids if i not in members or not members[i].org.path.startswith(data.org.path)]
    if outside and "member_ids" not in errors:
        errors["member_ids"] = f"有 {len(outside)} 名参训人员不是该组织的党员"
    if errors:
        raise ValidationError(errors)
    training = Training.objects.create(
        org=data.org,
        name=data.name.strip(),
        organizer=data.organizer.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        hours=data.hours,
        created_by=_actor(actor),
    )
    StudyEntry.objects.bulk_create(
        StudyEntry(
            member_id=pk,
            year=data.starts_on.year,
            studied_on=data.starts_on,
            hours=data.hours,
            kind=StudyEntry.Kind.TRAINING,
            title=training.name,
            training=training,
            recorded_by=_actor(actor),
        )
        for pk in ids
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=training,
        org=data.org,
        summary={"training": training.name, "hours": str(data.hours), "attendees": len(ids)},
    )
    return training


@transaction.atomic
def add_offline_hours(
    *,
    actor: Any,
    member: Member,
    studied_on: dt.date,
    hours: Decimal,
    title: str,
    today: dt.date | None = None,
) -> StudyEntry:
    require_member_writer(actor, member)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写学习内容"
    if studied_on > (today or timezone.localdate()):
        errors["studied_on"] = "日期不能晚于今天"
    if hours <= 0 or hours > MAX_HOURS_PER_DAY or hours.as_tuple().exponent < -1:  # type: ignore[operator]
        errors["hours"] = f"学时应在 0.5–{MAX_HOURS_PER_DAY} 之间，最多一位小数"
    if errors:
        raise ValidationError(errors)
    entry = StudyEntry.objects.create(
        member=member,
        year=studied_on.year,
        studied_on=studied_on,
        hours=hours,
        kind=StudyEntry.Kind.OFFLINE,
        title=title.strip()[:120],
        recorded_by=_actor(actor),
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=entry,
        org=member.org,
        summary={"member": member.pk, "hours": str(hours), "title": entry.title},
    )
    return entry


@transaction.atomic
def remove_entry(*, actor: Any, entry: StudyEntry) -> None:
    """Only hand-written lines go one by one; a lesson's or a training's lines go with their source."""
    require_member_writer(actor, entry.member)
    if entry.kind != StudyEntry.Kind.OFFLINE:
        raise ValidationError("微党课和培训的学时随其来源删除，不能单独删除")
    record_event(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target_repr=f"学时记录 {entry.pk}",
        org=entry.member.org,
        summary={"member": entry.member_id, "hours": str(entry.hours), "title": entry.title},
    )
    entry.delete()


@transaction.atomic
def set_exemption(*, actor: Any, member: Member, year: int, reason: str) -> Exemption:
    require_member_writer(actor, member)
    if not reason.strip():
        raise ValidationError({"reason": "请填写免除原因（如年老体弱、患有重病）"})
    exemption, created = Exemption.objects.update_or_create(
        member=member, year=year, defaults={"reason": reason.strip()[:120], "recorded_by": _actor(actor)}
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=exemption,
        org=member.org,
        summary={"member": member.pk, "year": year, "reason": exemption.reason},
    )
    return exemption


@transaction.atomic
def clear_exemption(*, actor: Any, member: Member, year: int) -> None:
    require_member_writer(actor, member)
    deleted, _ = Exemption.objects.filter(member=member, year=year).delete()
    if deleted:
        record_event(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target_repr=f"学时免除 {member.pk} {year}",
            org=member.org,
            summary={"member": member.pk, "year": year},
        )


@transaction.atomic
def add_trainings(*, items: list[TrainingData], today: dt.date) -> list[Training]:
    """The bulk path of `record_training` (history imports, the demo): the same checks, all or nothing."""
    problems: list[str] = []
    members = dict(
        Member.objects.filter(pk__in={pk for d in items for pk in d.member_ids}).values_list(
            "pk", "org__path"
        )
    )
    for i, data in enumerate(items, 1):
        errors = training_errors(data, today)
        if any(pk not in members or not members[pk].startswith(data.org.path) for pk in data.member_ids):
            errors.setdefault("member_ids", "有参训人员不是该组织的党员")
        problems.extend(f"第 {i} 条（{field}）：{text}" for field, text in errors.items())
    if problems:
        raise ValidationError(problems)
    trainings = Training.objects.bulk_create(
        Training(
            org=d.org,
            name=d.name.strip(),
            organizer=d.organizer.strip(),
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            hours=d.hours,
        )
        for d in items
    )
    StudyEntry.objects.bulk_create(
        (
            StudyEntry(
                member_id=pk,
                year=t.starts_on.year,
                studied_on=t.starts_on,
                hours=t.hours,
                kind=StudyEntry.Kind.TRAINING,
                title=t.name,
                training=t,
            )
            for t, d in zip(trainings, items, strict=True)
            for pk in sorted(set(d.member_ids))
        ),
        batch_size=2000,
    )
    return trainings


@transaction.atomic
def add_exemptions(*, items: list[tuple[Member, int, str]]) -> list[Exemption]:
    """The bulk path of `set_exemption` (history imports, the demo): a reason for each, one per member and year."""
    problems = [
        f"第 {i} 条：请填写免除原因" for i, (_, _, reason) in enumerate(items, 1) if not reason.strip()
    ]
    if len({(m.pk, year) for m, year, _ in items}) != len(items):
        problems.append("同一党员同一年度只能登记一次免除")
    if problems:
        raise ValidationError(problems)
    return Exemption.objects.bulk_create(
        Exemption(member=m, year=year, reason=reason.strip()[:120]) for m, year, reason in items
    )


ATTENDEE_LAYOUT = SheetLayout(
    headers={
        header_text(h): key
        for h, key in (
            ("姓名", "name"),
            ("公民身份号码", "id_number"),
            ("身份证号", "id_number"),
            ("身份证号码", "id_number"),
        )
    },
    labels={"name": "姓名", "id_number": "公民身份号码"},
    identifying=("name", "id_number"),
    what="参训党员",
)


def read_attendees(file: Any, org: Organization) -> list[int]:
    """The members an attendance sheet (.xlsx: 姓名, 公民身份号码) names, found under `org` by the ID number's
    blind index and checked against the name. Read by the roster's reader (size, rows, zip bombs bounded); any
    row that names nobody under `org` refuses the whole file, each row's problem in Chinese."""
    try:
        rows = read_data_rows(file, ATTENDEE_LAYOUT, what="参训党员")
    except RosterFileError as exc:
        raise ValidationError({"attendees": str(exc)}) from exc
    wanted: dict[str, tuple[int, str]] = {}
    problems: list[str] = []
    for number, cells in rows:
        name, raw = cell_text(cells.get("name")), idcard.normalize(cell_text(cells.get("id_number")))
        if not raw:
            problems.append(f"第 {number} 行：请填写公民身份号码")
            continue
        wanted[personal.blind_index("id", raw)] = (number, name)
    found = {
        m.id_number_hash: m
        for m in Member.objects.filter(under_path_q(org.path, "org__path"), id_number_hash__in=list(wanted))
    }
    ids: list[int] = []
    for key, (number, name) in wanted.items():
        member = found.get(key)
        if member is None:
            problems.append(f"第 {number} 行：{name or '该人'}不是本组织的党员（按公民身份号码查找）")
        elif name and name != member.name:
            problems.append(f"第 {number} 行：姓名“{name}”与该身份证号的党员“{member.name}”不一致")
        else:
            ids.append(member.pk)
    if problems:
        raise ValidationError(
            {
                "attendees": problems[:20]
                + ([f"另有 {len(problems) - 20} 行有误"] if len(problems) > 20 else [])
            }
        )
    return ids
