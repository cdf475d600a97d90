"""一人一册 (seed 001, 乌海): study materials issued to a group create one personal study record per person; the
person keeps their study notes in it; the department spot-checks (抽查) records with a dated result per
person, and a result that passes earns the configured points item through points' own service (withdrawing
the check reverses it), so it counts in the person's quantified assessment and shows on their 一人一档."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning.defaults import rules
from learning.models import StudyBook, StudyCheck, StudyRecord
from learning.services.common import require_writer
from orgs.access import own_member_id
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q
from points.services.ledger import award_automatic, reverse_automatic

SOURCE_TYPE = "learning_study_check"
MAX_NOTES = 20000


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_writer(actor: Any, org: Organization) -> None:
    """None is the system (the demo, imports), as in development's services; pages and the API always pass
    the request's user, which is checked."""
    if actor is not None:
        require_writer(actor, org)


@dataclass
class BookData:
    org: Organization
    title: str
    issued_on: dt.date
    description: str = ""
    titles: list[str] = field(default_factory=list)


def group_of(org: Organization, titles: list[str], on: dt.date) -> QuerySet[Member]:
    """The people a book goes to: the active members under the node, or only those holding one of `titles`
    on the day (e.g. every cadre: the posts of the department's committee)."""
    members = Member.objects.filter(under_path_q(org.path, "org__path")).active()
    if titles:
        holders = Position.objects.filter(title__in=titles, started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )
        members = members.filter(pk__in=holders.values("member_id"))
    return members.order_by("pk")


@transaction.atomic
def issue_book(*, actor: Any, data: BookData, today: dt.date | None = None) -> StudyBook:
    _require_writer(actor, data.org)
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写学习资料名称"
    if data.issued_on > (today or timezone.localdate()):
        errors["issued_on"] = "发放日期不能晚于今天"
    if set(data.titles) - set(Position.Title.values):
        errors["titles"] = "职务无效"
    members = list(group_of(data.org, data.titles, data.issued_on).values_list("pk", flat=True))
    if not errors and not members:
        errors["titles"] = "该范围内没有符合条件的党员，无法发放"
    if errors:
        raise ValidationError(errors)
    book = StudyBook.objects.create(
        org=data.org,
        title=data.title.strip(),
        description=data.description.strip(),
        issued_on=data.issued_on,
        titles=sorted(data.titles),
        created_by=_actor(actor),
    )
    StudyRecord.objects.bulk_create([StudyRecord(book=book, member_id=pk) for pk in members], batch_size=2000)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=book,
        org=data.org,
        summary={"study_book": book.title, "records": len(members)},
    )
    return book


@transaction.atomic
def write_notes(*, actor: Any, record: StudyRecord, notes: str) -> StudyRecord:
    """Only the person keeps their own notes (the department reads and checks them)."""
    if own_member_id(actor) != record.member_id:
        raise PermissionDenied("只有本人可以填写学习笔记")
    text = notes.strip()
    if len(text) > MAX_NOTES:
        raise ValidationError({"notes": f"学习笔记不能超过 {MAX_NOTES} 字"})
    record = StudyRecord.objects.select_for_update().get(pk=record.pk)
    record.notes = text
    record.notes_updated_at = timezone.now()
    record.save(update_fields=["notes", "notes_updated_at"])
    return record


@transaction.atomic
def check_record(
    *,
    actor: Any,
    record: StudyRecord,
    result: str,
    checked_on: dt.date,
    remark: str = "",
    today: dt.date | None = None,
) -> StudyCheck:
    """One dated spot-check result for one person; a pass (优秀/合格) writes the points item."""
    book = record.book
    _require_writer(actor, book.org)
    errors: dict[str, str] = {}
    if result not in StudyCheck.Result.values:
        errors["result"] = "请选择抽查结果"
    if checked_on > (today or timezone.localdate()):
        errors["checked_on"] = "抽查日期不能晚于今天"
    elif checked_on < book.issued_on:
        errors["checked_on"] = "抽查日期不能早于发放日期"
    if result == StudyCheck.Result.FAIL and not remark.strip():
        errors["remark"] = "不合格须填写意见"
    if StudyCheck.objects.live().filter(record=record, checked_on=checked_on).exists():
        errors["checked_on"] = "该日已登记过抽查结果；如需更正请先撤销"
    if errors:
        raise ValidationError(errors)
    check = StudyCheck.objects.create(
        record=record,
        checked_on=checked_on,
        result=result,
        remark=remark.strip()[:200],
        checked_by=_actor(actor),
    )
    item = rules().study_check_points_item
    awarded = None
    if item and check.passed:
        awarded = award_automatic(
            actor=_actor(actor),
            member=record.member,
            item_code=item,
            occurred_on=checked_on,
            source_type=SOURCE_TYPE,
            source_id=str(check.pk),
            note=f"一人一册抽查{check.get_result_display()}：{book.title}"[:200],
        )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=check,
        org=record.member.org,
        summary={"member": record.member_id, "result": result, "points": awarded is not None},
    )
    return check


@transaction.atomic
def withdraw_check(*, actor: Any, check: StudyCheck, reason: str) -> StudyCheck:
    """A wrong result is withdrawn (kept as a row, with its reason), and its points reversed."""
    require_writer(actor, check.record.book.org)
    if not reason.strip():
        raise ValidationError({"reason": "请说明撤销原因"})
    check = StudyCheck.objects.select_for_update().get(pk=check.pk)
    if check.withdrawn_at is not None:
        raise ValidationError("该抽查结果已撤销")
    check.withdrawn_at = timezone.now()
    check.withdraw_reason = reason.strip()[:200]
    check.save(update_fields=["withdrawn_at", "withdraw_reason"])
    reverse_automatic(
        actor=_actor(actor),
        source_type=SOURCE_TYPE,
        source_id=str(check.pk),
        reason=f"撤销抽查结果：{reason.strip()}",
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=check,
        org=check.record.member.org,
        summary={"withdrawn": True, "reason": check.withdraw_reason},
    )
    return check
