"""观察员信息台账: dynamic management (在岗/暂停/退出), the yearly update, trainings, the training rule
(每年至少参加一次专题培训), the per-committee summary and the masked .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import Observer, Training
from observers.services.selection import require_committee_write
from orgs import spreadsheets


def trained_q(year: int) -> Exists:
    return Exists(Training.objects.filter(observer=OuterRef("pk"), held_on__year=year))


def with_flags(qs: QuerySet[Observer], year: int) -> QuerySet[Observer]:
    """Annotate `trained` (≥ 1 training in `year`) for the roster's flags."""
    return qs.annotate(trained=trained_q(year))


@transaction.atomic
def link_account(*, actor: User | None, observer: Observer, user: User) -> Observer:
    """Link a login to an observer appointed without one (add_observers): the observer then acts on their
    assigned branches. The account must not already act for another observer, nor belong to another
    member."""
    require_committee_write(actor, observer.committee)
    observer = lock_rows(Observer.objects).get(pk=observer.pk)
    if observer.user_id == user.pk:
        return observer
    if observer.user_id is not None:
        raise ValidationError("该观察员已关联账号")
    if Observer.objects.filter(user=user).exists():
        raise ValidationError("该账号已关联其他观察员")
    if user.member_id is not None and user.member_id != observer.member_id:
        raise ValidationError("该账号属于其他党员")
    observer.user = user
    observer.save(update_fields=["user"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=observer,
        org=observer.committee,
        summary={"what": "observer_user_linked", "username": user.username},
        actor_name="" if actor is not None else "system",
    )
    return observer


@transaction.atomic
def change_status(*, actor: User | None, observer: Observer, status: str, note: str = "") -> Observer:
    require_committee_write(actor, observer.committee)
    if status not in Observer.Status.values:
        raise ValidationError({"status": "请选择状态"})
    note = note.strip()
    if status != Observer.Status.ACTIVE and not note:
        raise ValidationError({"note": "暂停或退出须写明原因"})
    if status == observer.status and note == observer.status_note:
        return observer
    before = observer.status
    observer.status = status
    observer.status_note = note
    observer.save(update_fields=["status", "status_note"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=observer,
        org=observer.committee,
        summary={"status": [before, status], "note": note},
    )
    return observer


@transaction.atomic
def mark_updated(*, actor: User, observer: Observer, year: int) -> Observer:
    """年度更新: the roster entry was checked for `year`."""
    require_committee_write(actor, observer.committee)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度有误"})
    before = observer.updated_year
    observer.updated_year = year
    observer.save(update_fields=["updated_year"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=observer,
        org=observer.committee,
        summary={"updated_year": [before, year]},
    )
    return observer


@transaction.atomic
def add_training(
    *,
    actor: User | None,
    observers: Iterable[Observer],
    held_on: dt.date,
    title: str,
    hours: Decimal = Decimal(0),
) -> list[Training]:
    """One training session attended by one or more observers."""
    observers = list(observers)
    if not observers:
        raise ValidationError("请选择参加培训的观察员")
    for observer in observers:
        require_committee_write(actor, observer.committee)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "请填写培训内容"})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "培训日期不能晚于今天"})
    if hours < 0:
        raise ValidationError({"hours": "学时不能为负数"})
    rows = [Training.objects.create(observer=o, held_on=held_on, title=title, hours=hours) for o in observers]
    for observer, row in zip(observers, rows, strict=True):
        record_event(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=row,
            target_repr=f"{observer.member.name} 培训：{title}",
            org=observer.committee,
            summary={"observer": observer.pk, "held_on": held_on.isoformat(), "hours": str(hours)},
        )
    return rows


@dataclass
class CommitteeSummary:
    committee_id: int
    committee_name: str
    active: int
    suspended: int
    retired: int
    untrained: int  # active observers with no training this year: the rule is broken
    not_updated: int  # active observers whose roster entry was not updated this year

    @property
    def rule_met(self) -> bool:
        return self.untrained == 0


def committee_summary(qs: QuerySet[Observer], year: int) -> list[CommitteeSummary]:
    active = Q(status=Observer.Status.ACTIVE)
    rows = (
        qs.annotate(trained=trained_q(year))
        .values("committee_id", "committee__name", "committee__short_name", "committee__path")
        .annotate(
            active=Count("id", filter=active),
            suspended=Count("id", filter=Q(status=Observer.Status.SUSPENDED)),
            retired=Count("id", filter=Q(status=Observer.Status.RETIRED)),
            untrained=Count("id", filter=active & Q(trained=False)),
            not_updated=Count("id", filter=active & ~Q(updated_year=year)),
        )
        .order_by("committee__path")
    )
    return [
        CommitteeSummary(
            committee_id=r["committee_id"],
            committee_name=r["committee__short_name"] or r["committee__name"],
            active=r["active"],
            suspended=r["suspended"],
            retired=r["retired"],
            untrained=r["untrained"],
            not_updated=r["not_updated"],
        )
        for r in rows
    ]


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = [
    ("序号", 6),
    ("姓名", 10),
    ("性别", 6),
    ("公民身份号码", 22),
    ("联系电话", 15),
    ("所在党组织", 30),
    ("所属党(工)委", 30),
    ("聘书编号", 22),
    ("工作证编号", 16),
    ("聘任日期", 12),
    ("状态", 8),
    ("状态说明", 24),
    ("台账年度更新", 12),
    ("本年培训次数", 12),
    ("本年培训达标", 12),
]


def export_file_name() -> str:
    return f"观察员信息台账_{timezone.localdate():%Y%m%d}.xlsx"


def export_roster(
    *, user: User, queryset: QuerySet[Observer], filters: dict[str, Any] | None = None
) -> bytes:
    """The (filtered) roster as .xlsx with masked ID numbers and phones only; audited."""
    if not user.has_perm("orgs.export_member"):
        raise PermissionDenied("您没有导出人员名册的权限")
    year = timezone.localdate().year
    qs = (
        queryset.visible_to(user)  # type: ignore[attr-defined]
        .select_related("member", "member__org", "committee")
        .annotate(trainings_this_year=Count("trainings", filter=Q(trainings__held_on__year=year)))
        .order_by("committee__path", "letter_number")
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("观察员信息台账")
    for index, (_, width) in enumerate(EXPORT_COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for title, _ in EXPORT_COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    spreadsheets.append(ws, header)
    count = 0
    for o in qs:
        count += 1
        m = o.member
        spreadsheets.append(
            ws,
            [
                count,
                m.name,
                m.get_gender_display(),
                m.id_number_masked,
                m.phone_masked,
                m.org.name,
                o.committee.name,
                o.letter_number,
                o.card_number,
                o.appointed_on,
                o.get_status_display(),
                o.status_note,
                o.updated_year or "",
                o.trainings_this_year,
                "是" if o.trainings_this_year else ("否" if o.status == Observer.Status.ACTIVE else "—"),
            ],
        )
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_repr=f"导出观察员信息台账 {count} 人",
        summary={"filters": filters or {}, "rows": count, "file_name": export_file_name()},
    )
    return out.getvalue()
