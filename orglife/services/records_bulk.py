"""The meeting records' bulk path (history imports, the demo): whole records with attendance and history.

`add_records` checks each record with the records service's own rules (`_validate`: the fields, the
branch's groups, an open plan item of the month, attendance against the roster, the votes), derives
what the services derive (quorum and vote facts by `set_quorum_facts`, 补录 from the submission time,
the attendance rows as `_write_attendance` writes them), and writes a county-year in a bounded number
of queries: attendance and events as plain rows (orgs.bulkinsert.insert_rows, COPY on PostgreSQL).
Not checked: the photo a submission needs (history arrives without photos) and the points for
attendance (the points demo writes its own ledger).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from orglife import photomatch, uploads
from orglife.models import (
    Attendance,
    MeetingRecord,
    MeetingType,
    MonthlyPlan,
    PlanItem,
    RecordAttachment,
    RecordEvent,
)
from orglife.rules import is_voter, ruleset_for
from orglife.services import photo_checks
from orglife.services.records import (
    COMMITTEE_TITLES,
    RecordData,
    Roster,
    _validate,
    add_event,
    apply_record_data,
    branch_roster,
    committee_roster,
    set_quorum_facts,
    store_attachment,
)
from orgs.bulkinsert import insert_rows
from orgs.models import Discipline, Member, Organization, Position

S = MeetingRecord.Status
S_PRESENT, S_ABSENT, S_EXEMPT = (
    Attendance.Status.PRESENT.value,
    Attendance.Status.ABSENT.value,
    Attendance.Status.EXEMPT.value,
)
RECORD_ACTIONS = ("created", "submitted", "approved_by_secretary", "approved", "returned")


@dataclass
class NewRecord:
    """A record as it happened, for `add_records`; `events` are (action, payload, at, reason)."""

    org: Organization
    data: RecordData
    status: str
    created_at: dt.datetime
    approved_at: dt.datetime | None = None
    events: list[tuple[str, dict[str, Any], dt.datetime, str]] = field(default_factory=list)


def _state_errors(new: NewRecord) -> list[str]:
    """The facts each status implies, as create/submit/approve/return would leave them."""
    if new.status not in S.values:
        return ["状态无效"]
    errors = []
    actions = [a for a, _, _, _ in new.events]
    if unknown := set(actions) - set(RECORD_ACTIONS):
        errors.append(f"未知的纪实事件：{'、'.join(sorted(unknown))}")
    if new.status != S.DRAFT and "submitted" not in actions:
        errors.append("已提交的纪实须有提交事件")
    if (new.status == S.APPROVED) != (new.approved_at is not None):
        errors.append("审核时间与状态不符")
    submitted = [at for a, _, at, _ in new.events if a == "submitted"]
    if submitted and submitted[0] < new.data.started_at:
        errors.append("会议尚未召开，不能提交纪实")
    return errors


@transaction.atomic
def add_records(*, records: list[NewRecord]) -> list[MeetingRecord]:
    """Write whole records in bulk with the records service's rules; returns them saved, in order.

    No audit row and no stats refresh: the caller records one event and rebuilds the stats.
    """
    if not records:
        return []
    org_ids = {n.org.pk for n in records}
    months = {n.data.month for n in records}
    active: dict[int, list[Member]] = defaultdict(list)
    for m in Member.objects.filter(org_id__in=org_ids, status__in=Member.ACTIVE_STATUSES).order_by("id"):
        active[m.org_id].append(m)
    # 留党察看 of these branches' members (Q-01): who has no vote on a given meeting day.
    disciplines = list(
        Discipline.objects.filter(member__org_id__in=org_ids).values_list("member_id", "starts_on", "ends_on")
    )

    def barred_on(day: dt.date) -> set[int]:
        return {pk for pk, start, end in disciplines if start <= day and (end is None or end > day)}

    committees: dict[int, dict[int, Member]] = defaultdict(dict)
    for p in (
        Position.objects.filter(org_id__in=org_ids, title__in=COMMITTEE_TITLES, ended_on__isnull=True)
        .select_related("member")
        .order_by("member_id")
    ):
        committees[p.org_id].setdefault(p.member_id, p.member)
    open_ids: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    items = PlanItem.objects.filter(
        plan__org_id__in=org_ids, plan__month__in=months, plan__status=MonthlyPlan.Status.APPROVED
    )
    taken = set(MeetingRecord.objects.filter(plan_item__in=items).values_list("plan_item_id", flat=True))
    for pk, org_id, month in items.values_list("pk", "plan__org_id", "plan__month"):
        if pk not in taken:
            open_ids[(org_id, month)].add(pk)
    backfill_days = {m: ruleset_for(m).backfill_days for m in months}

    errors: list[str] = []
    rows: list[MeetingRecord] = []
    attendance: list[list[tuple[int, str, str]]] = []
    rosters: dict[tuple[int, str, int | None], Roster] = {}  # a branch's roster per meeting type and group
    eligible: dict[tuple[int, frozenset[int]], int] = {}
    for n in records:
        org, data = n.org, n.data
        month = data.month
        where = f"{org.code} {month:%Y-%m} {data.topic}"
        key = (org.pk, data.meeting_type, data.group.pk if data.group else None)
        if key not in rosters:
            if data.meeting_type == MeetingType.COMMITTEE:
                rosters[key] = committee_roster(list(committees[org.pk].values()))
            else:
                rosters[key] = branch_roster(active[org.pk], data.meeting_type, data.group)
        roster = rosters[key]
        available = open_ids[(org.pk, month)]
        try:
            _validate(org, data, roster, None, open_ids=available)
        except ValidationError as e:
            errors += [f"{where}：{m}" for m in e.messages]
            continue
        if bad := _state_errors(n):
            errors += [f"{where}：{m}" for m in bad]
            continue
        if data.plan_item is not None:
            available.discard(data.plan_item.pk)  # one record per plan item
        record = MeetingRecord(org=org, status=n.status, created_at=n.created_at, approved_at=n.approved_at)
        apply_record_data(record, data)
        record.updated_at = max([n.created_at, *(at for _, _, at, _ in n.events)])
        days = backfill_days[month]
        submitted = next((at for a, _, at, _ in n.events if a == "submitted"), None)
        record.is_backfill = submitted is not None and submitted - data.started_at > dt.timedelta(days=days)
        for action, payload, _, _ in n.events:
            if action == "submitted":
                payload.update(backfill=record.is_backfill, backfill_days=days)
        given = {a.member_id: a for a in data.attendance}
        present_ids = {pk for pk, a in given.items() if a.present}
        barred = barred_on(timezone.localtime(data.started_at).date()) if disciplines else set()
        voters = [m.pk for m in roster.due if is_voter(m, barred)]
        key_v = (org.pk, frozenset(barred))
        if key_v not in eligible:
            eligible[key_v] = sum(1 for m in active[org.pk] if is_voter(m, barred))
        committee = list(committees[org.pk]) if record.meeting_type == MeetingType.COMMITTEE else []
        set_quorum_facts(
            record, present_ids=present_ids, voters=voters, eligible=eligible[key_v], committee=committee
        )
        rows.append(record)
        attendance.append(
            [
                (m.pk, S_PRESENT, "")
                if given[m.pk].present
                else (m.pk, S_ABSENT, given[m.pk].reason.strip()[:120])
                for m in roster.due
            ]
            + [(m.pk, S_EXEMPT, "") for m in roster.exempt]
        )
    if errors:
        raise ValidationError(errors)
    MeetingRecord.objects.bulk_create(rows, batch_size=2000)
    insert_rows(
        Attendance,
        ["record", "member", "status", "absence_reason"],
        [(r.pk, *row) for r, att in zip(rows, attendance, strict=True) for row in att],
    )
    insert_rows(
        RecordEvent,
        ["record", "action", "payload", "created_at", "reason"],
        [
            (r.pk, a, payload, at, reason)
            for r, n in zip(rows, records, strict=True)
            for a, payload, at, reason in n.events
        ],
    )
    return rows


@dataclass
class HistoryPhoto:
    """A photo of a record as it was attached in the past, for `add_history_photos`.

    `clean` is the upload as `uploads.clean_photo` cleaned it; `original_name` overrides its file name;
    `attached_at` dates the history line (now when omitted)."""

    record: MeetingRecord
    clean: uploads.CleanFile
    original_name: str = ""
    attached_at: dt.datetime | None = None


@transaction.atomic
def add_history_photos(*, items: list[HistoryPhoto]) -> list[RecordAttachment]:
    """Photos of past records (history imports, the demo), stored as `add_attachments` stores them.

    Each goes through the same `store_attachment` (random name, thumbnail) and the same reuse detector
    against every stored photo (`check_stored`, run here rather than in a task), both records of a reused pair are flagged `photo_reused`, and its history gets the
    same "attached" line, dated `attached_at`. Unlike the page, any record state is accepted (the record
    was submitted long ago) and the per-record photo limit still holds. No audit row: like `add_records`,
    this is a bulk path run by an operator command, which is itself audited.
    """
    per_record: dict[int, list[HistoryPhoto]] = defaultdict(list)
    for item in items:
        if item.clean.kind != RecordAttachment.Kind.PHOTO:
            raise ValidationError({"photos": [f"{item.clean.original_name}：不是照片"]})
        per_record[item.record.pk].append(item)
    have = dict(
        RecordAttachment.objects.filter(record_id__in=per_record, kind=RecordAttachment.Kind.PHOTO)
        .values("record_id")
        .annotate(n=models.Count("id"))
        .values_list("record_id", "n")
    )
    for pk, group in per_record.items():
        if have.get(pk, 0) + len(group) > uploads.MAX_PHOTOS:
            raise ValidationError({"photos": [f"纪实 {pk}：每条纪实最多 {uploads.MAX_PHOTOS} 张照片"]})
    saved: list[RecordAttachment] = []
    for group in per_record.values():
        record = group[0].record
        reused = []
        for item in group:
            clean = (
                replace(item.clean, original_name=item.original_name) if item.original_name else item.clean
            )
            attachment = store_attachment(record, clean)
            # An operator's bulk path, not a request: the photo is checked here, as the check task would.
            photo_checks.check_stored(attachment, photomatch.open_grey(clean.content))
            saved.append(attachment)
            if attachment.reused_from_id:
                reused.append(attachment)
            add_event(
                record,
                "attached",
                None,
                at=item.attached_at,
                files=[attachment.original_name],
                reused=[attachment.original_name] if attachment.reused_from_id else [],
            )
        if reused:
            record.photo_reused = True  # check_stored flagged both records in the database
    return saved
