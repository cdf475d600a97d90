"""纪实: recording a meeting, its attendance, votes and photos; submit → approve (→ committee) → locked.

Every write here is one service with the acting user, inside a transaction, audited, with a RecordEvent.
An approved record is locked: later changes go through `amend_record` with a reason and keep the history.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from orglife import uploads
from orglife.models import (
    Attendance,
    MeetingRecord,
    MeetingType,
    MonthlyPlan,
    PhotoMatch,
    PlanItem,
    RecordAttachment,
    RecordEvent,
)
from orglife.periods import first_of_month
from orglife.rules import (
    LIFE_KINDS,
    assembly_passes,
    assembly_quorum,
    attendance_due,
    barred_from_voting,
    committee_quorum,
    is_voter,
    ruleset_for,
    voting_eligible_count,
)
from orglife.services import photo_checks
from orglife.services.stats import refresh_after_change
from orgs.access import holds
from orgs.models import Discipline, Member, Organization, Position
from orgs.roles import Role
from points import services as points_services

log = logging.getLogger(__name__)

S = MeetingRecord.Status
EDITABLE = (S.DRAFT, S.RETURNED)
CREATE_ROLES = frozenset({Role.BRANCH_ADMIN, Role.BRANCH_SECRETARY})
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
COMMITTEE_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN})
APPROVE_ROLES = frozenset({Role.BRANCH_SECRETARY}) | COMMITTEE_ROLES
COMMITTEE_TITLES = (
    Position.Title.SECRETARY,
    Position.Title.DEPUTY_SECRETARY,
    Position.Title.ORGANIZATION,
    Position.Title.PROPAGANDA,
    Position.Title.DISCIPLINE,
)
POINTS_ITEM = "orglife_attendance"
POINTS_SOURCE = "orglife_record_attendance"
DATA_FIELDS = (  # what a record's input (RecordData) sets on the record, as the record's attributes
    "meeting_type",
    "group",
    "plan_item",
    "topic",
    "started_at",
    "ended_at",
    "place",
    "host_name",
    "recorder_name",
    "lecturer_name",
    "agenda",
    "content",
    "decisions",
    "vote_subject",
    "votes_yes",
    "votes_no",
    "votes_abstain",
)
FIELDS = [f"{f}_id" if f in ("group", "plan_item") else f for f in DATA_FIELDS]  # their columns


class RecordLocked(Exception):
    """The record is not in a state that allows this change (approved records change only by amendment)."""

    def __init__(self, message: str = "该纪实已审核锁定，不能直接修改；如需更正请提交更正说明。") -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- who may do what


def can_create(user: User, org: Organization) -> bool:
    return holds(user, CREATE_ROLES, org.path)


def can_approve(user: User, org: Organization) -> bool:
    return holds(user, APPROVE_ROLES, org.path)


def can_committee_approve(user: User, org: Organization) -> bool:
    # The committee above the branch (or the department above it), never the branch itself.
    return holds(user, COMMITTEE_ROLES, org.path)


def can_review(user: User, record: MeetingRecord) -> bool:
    if record.status == S.SUBMITTED:
        return can_approve(user, record.org)
    if record.status == S.AWAITING_COMMITTEE:
        return can_committee_approve(user, record.org)
    return False


# ---------------------------------------------------------------- who is due


def committee_members(org: Organization) -> list[Member]:
    """Members holding a current committee post (书记, 副书记, 组织/宣传/纪检委员) in the branch."""
    return list(
        Member.objects.filter(
            positions__org=org, positions__title__in=COMMITTEE_TITLES, positions__ended_on__isnull=True
        )
        .distinct()
        .order_by("id")
    )


@dataclass
class Roster:
    """Who the attendance list shows: due members (应到) and exempt ones (免参, outside the denominator)."""

    due: list[Member]
    exempt: list[Member]

    @property
    def due_ids(self) -> set[int]:
        return {m.pk for m in self.due}


def roster_for(org: Organization, meeting_type: str, group: Organization | None = None) -> Roster:
    """支委会: the committee; 党小组会: that group's members; every other meeting: the whole branch."""
    if meeting_type == MeetingType.COMMITTEE:
        return committee_roster(committee_members(org))
    due = attendance_due(org)
    active = Member.objects.filter(org=org, status__in=Member.ACTIVE_STATUSES).order_by("id")
    if meeting_type == MeetingType.GROUP and group is not None:
        due = [m for m in due if m.party_group_id == group.pk]
        active = active.filter(party_group=group)
    due_ids = {m.pk for m in due}
    return Roster(due, [m for m in active if m.pk not in due_ids])


def committee_roster(members: list[Member]) -> Roster:
    return Roster(
        [m for m in members if m.counts_in_denominator],
        [m for m in members if not m.counts_in_denominator],
    )


def branch_roster(active: list[Member], meeting_type: str, group: Organization | None = None) -> Roster:
    """`roster_for` from the branch's active members (by id) already loaded: the bulk path's roster."""
    if meeting_type == MeetingType.GROUP and group is not None:
        active = [m for m in active if m.party_group_id == group.pk]
    return Roster(
        [m for m in active if m.counts_in_denominator],
        [m for m in active if not m.counts_in_denominator],
    )


# ---------------------------------------------------------------- input


@dataclass
class AttendanceEntry:
    member_id: int
    present: bool
    reason: str = ""


@dataclass
class RecordData:
    meeting_type: str
    topic: str
    started_at: dt.datetime
    ended_at: dt.datetime
    place: str
    host_name: str
    recorder_name: str
    content: str
    lecturer_name: str = ""
    agenda: str = ""
    decisions: str = ""
    group: Organization | None = None
    plan_item: PlanItem | None = None
    vote_subject: str = ""
    votes_yes: int | None = None
    votes_no: int | None = None
    votes_abstain: int | None = None
    attendance: list[AttendanceEntry] = field(default_factory=list)

    @property
    def month(self) -> dt.date:
        return first_of_month(timezone.localtime(self.started_at).date())


def record_month(started_at: dt.datetime) -> dt.date:
    return first_of_month(timezone.localtime(started_at).date())


def open_plan_items(
    org: Organization, month: dt.date, *, record: MeetingRecord | None = None
) -> list[PlanItem]:
    """Approved plan items of the branch and month that no other record is linked to yet."""
    items = PlanItem.objects.filter(
        plan__org=org, plan__month=first_of_month(month), plan__status=MonthlyPlan.Status.APPROVED
    ).select_related("group")
    taken = MeetingRecord.objects.filter(plan_item__in=items)
    if record is not None and record.pk:
        taken = taken.exclude(pk=record.pk)
    return list(items.exclude(pk__in=taken.values("plan_item_id")).order_by("planned_on", "id"))


def _validate(
    org: Organization,
    data: RecordData,
    roster: Roster,
    record: MeetingRecord | None,
    *,
    open_ids: set[int] | None = None,
) -> None:
    errors: dict[str, list[str]] = {}

    def err(name: str, text: str) -> None:
        errors.setdefault(name, []).append(text)

    if org.kind not in LIFE_KINDS:
        err("org", "只有党支部（党总支）可以登记组织生活纪实")
    if data.meeting_type not in MeetingType.values:
        err("meeting_type", "请选择会议类型")
    for name, label in (
        ("topic", "主题"),
        ("place", "地点"),
        ("host_name", "主持人"),
        ("recorder_name", "记录人"),
        ("content", "会议内容"),
    ):
        if not str(getattr(data, name) or "").strip():
            err(name, f"请填写{label}")
    if data.ended_at < data.started_at:
        err("ended_at", "结束时间不能早于开始时间")
    if data.meeting_type == MeetingType.LECTURE and not data.lecturer_name.strip():
        err("lecturer_name", "党课须填写主讲人")
    if data.meeting_type == MeetingType.GROUP:
        if data.group is None:
            err("group", "党小组会须选择党小组")
        elif data.group.parent_id != org.pk or data.group.kind != Organization.Kind.GROUP:
            err("group", "所选党小组不属于本支部")
    elif data.group is not None:
        err("group", "只有党小组会需要选择党小组")
    if data.meeting_type == MeetingType.COMMITTEE and not org.has_committee:
        err("meeting_type", "本支部未设支委会")
    if data.plan_item is not None:
        item = data.plan_item
        if open_ids is None:
            open_ids = {i.pk for i in open_plan_items(org, data.month, record=record)}
        others = MeetingRecord.objects.filter(plan_item=item)
        taken = (others.exclude(pk=record.pk) if record is not None and record.pk else others).first()
        if item.pk not in open_ids and taken is not None:
            by = taken.created_by.get_full_name() or taken.created_by.username if taken.created_by else "他人"
            err(
                "plan_item",
                f"该计划事项已由{by}登记纪实（{timezone.localtime(taken.started_at):%m月%d日}，{taken.get_status_display()}），"
                "未重复保存；如是另一次会议，请选择“计划外”",
            )
        elif item.pk not in open_ids:
            err("plan_item", "所选计划不是本支部本月已审核、尚未登记的计划事项")
        elif item.meeting_type != data.meeting_type or item.group_id != (
            data.group.pk if data.group else None
        ):
            err("plan_item", "所选计划的会议类型（或党小组）与本次会议不一致")
    _validate_attendance(data, roster, err)
    _validate_votes(data, roster, err)
    if errors:
        raise ValidationError(errors)


def _validate_attendance(data: RecordData, roster: Roster, err: Any) -> None:
    given = {a.member_id: a for a in data.attendance}
    if set(given) - roster.due_ids:
        err("attendance", "出席名单中有不属于应到人员的党员")
    missing = roster.due_ids - set(given)
    if missing:
        err("attendance", f"还有 {len(missing)} 名应到党员未标记出席或缺席")
    for m in roster.due:
        a = given.get(m.pk)
        if a is not None and not a.present and not a.reason.strip():
            err("attendance", f"{m.name}缺席，请填写缺席原因")


def _validate_votes(data: RecordData, roster: Roster, err: Any) -> None:
    tally = (data.votes_yes, data.votes_no, data.votes_abstain)
    any_vote = data.vote_subject.strip() or any(v is not None for v in tally)
    if not any_vote:
        return
    if data.meeting_type != MeetingType.GENERAL_ASSEMBLY:
        err("vote_subject", "只有支部党员大会登记表决结果")
        return
    if not data.vote_subject.strip():
        err("vote_subject", "请填写表决事项")
    if any(v is None for v in tally):
        err("votes_yes", "请填写赞成、反对、弃权票数（没有可填0）")
        return
    present = _present_voters(roster, data.attendance, timezone.localtime(data.started_at).date())
    if sum(v or 0 for v in tally) > present:
        err("votes_yes", f"票数合计超过实到会有表决权党员人数（{present}人）")


def _present_voters(roster: Roster, attendance: list[AttendanceEntry], day: dt.date) -> int:
    present = {a.member_id for a in attendance if a.present}
    barred = barred_from_voting(roster.due_ids, day)
    return sum(1 for m in roster.due if m.pk in present and is_voter(m, barred))


# ---------------------------------------------------------------- quorum facts (RULES.md OL-03, OL-04)


@dataclass
class Check:
    ok: bool
    text: str


def record_checks(record: MeetingRecord) -> list[Check]:
    """The stored quorum and pass facts, as sentences for the page (warnings where they fail)."""
    out: list[Check] = []
    if record.meeting_type == MeetingType.GENERAL_ASSEMBLY and record.eligible_voters is not None:
        eligible, present = record.eligible_voters, record.present_voters or 0
        ok = assembly_quorum(present=present, eligible=eligible)
        out.append(
            Check(
                ok,
                f"应到会有表决权党员 {eligible} 人，实到 {present} 人："
                + ("超过半数，可以表决" if ok else "未超过半数，不足法定人数，表决无效"),
            )
        )
        if record.votes_yes is not None:
            passed = assembly_passes(yes=record.votes_yes, eligible=eligible)
            out.append(
                Check(
                    passed,
                    f"赞成 {record.votes_yes} 票、反对 {record.votes_no or 0} 票、弃权 "
                    f"{record.votes_abstain or 0} 票：赞成票"
                    + (
                        "超过应到会有表决权党员半数，表决通过"
                        if passed
                        else "未超过应到会有表决权党员半数，表决未通过"
                    ),
                )
            )
    if record.meeting_type == MeetingType.COMMITTEE and record.committee_size is not None:
        size, present = record.committee_size, record.committee_present or 0
        ok = committee_quorum(present=present, committee_size=size)
        out.append(
            Check(
                ok,
                f"支委会委员 {size} 人，到会 {present} 人："
                + ("超过半数，会议有效" if ok else "未超过半数，不足法定人数"),
            )
        )
    return out


def set_quorum_facts(
    record: MeetingRecord,
    *,
    present_ids: Collection[int],
    voters: Iterable[int] = (),
    eligible: int = 0,
    committee: Iterable[int] = (),
) -> None:
    """Set the record's quorum and vote facts from who was present: `voters` are the full members due
    (their presence counts toward a 党员大会's quorum), `eligible` the members entitled to vote (the
    denominator of quorum and pass), `committee` the 支委会's members. Nothing is saved; the bulk path
    `add_records` calls this too, so it stores exactly the facts the services store."""
    if record.meeting_type == MeetingType.GENERAL_ASSEMBLY:
        record.eligible_voters = eligible
        record.present_voters = sum(1 for pk in voters if pk in present_ids)
        record.quorum_met = assembly_quorum(present=record.present_voters, eligible=eligible)
        record.vote_passed = (
            assembly_passes(yes=record.votes_yes, eligible=eligible) if record.votes_yes is not None else None
        )
    else:
        record.eligible_voters = record.present_voters = record.vote_passed = None
        record.quorum_met = None
    if record.meeting_type == MeetingType.COMMITTEE:
        members = list(committee)
        record.committee_size = len(members)
        record.committee_present = sum(1 for pk in members if pk in present_ids)
        record.quorum_met = committee_quorum(
            present=record.committee_present, committee_size=record.committee_size
        )
    else:
        record.committee_size = record.committee_present = None


def _store_facts(record: MeetingRecord, roster: Roster, *, freeze_eligible: bool) -> None:
    present_ids = set(
        record.attendance.filter(status=Attendance.Status.PRESENT).values_list("member_id", flat=True)
    )
    voters: list[int] = []
    eligible = 0
    if record.meeting_type == MeetingType.GENERAL_ASSEMBLY:
        day = timezone.localtime(record.started_at).date()
        barred = barred_from_voting(roster.due_ids, day)  # no vote under 留党察看
        voters = [m.pk for m in roster.due if is_voter(m, barred)]
        frozen = record.eligible_voters if freeze_eligible else None
        eligible = frozen if frozen is not None else voting_eligible_count(record.org, day)
    committee: list[int] = []
    if record.meeting_type == MeetingType.COMMITTEE:
        committee = [m.pk for m in committee_members(record.org)]
    set_quorum_facts(record, present_ids=present_ids, voters=voters, eligible=eligible, committee=committee)


def recount_for_discipline(discipline: Discipline) -> int:
    """A 留党察看 entered after the fact (its start may lie before meetings already recorded): the member's
    党员大会 records in its window stop counting the member among those due to vote and those present (Q-01),
    and their quorum and pass facts follow. Records that already left the member out (another 留党察看 in
    force that day) are untouched. Returns how many records changed."""
    member = discipline.member
    changed = 0
    records = MeetingRecord.objects.filter(
        org_id=member.org_id, meeting_type=MeetingType.GENERAL_ASSEMBLY, eligible_voters__isnull=False
    ).select_for_update()
    for record in records:
        day = timezone.localtime(record.started_at).date()
        if not (discipline.starts_on <= day and (discipline.ends_on is None or discipline.ends_on > day)):
            continue
        if Discipline.objects.filter(member=member).exclude(pk=discipline.pk).in_force_on(day).exists():
            continue
        row = record.attendance.filter(member=member).exclude(status=Attendance.Status.EXEMPT).first()
        if row is None or member.category != Member.Category.FULL:
            continue
        eligible = max((record.eligible_voters or 0) - 1, 0)
        present = max((record.present_voters or 0) - (row.status == Attendance.Status.PRESENT), 0)
        record.eligible_voters, record.present_voters = eligible, present
        record.quorum_met = assembly_quorum(present=present, eligible=eligible)
        if record.votes_yes is not None:
            record.vote_passed = assembly_passes(yes=record.votes_yes, eligible=eligible)
        record.save(update_fields=["eligible_voters", "present_voters", "quorum_met", "vote_passed"])
        changed += 1
    return changed


# ---------------------------------------------------------------- attendance rows


def attendance_summary(record: MeetingRecord) -> dict[str, Any]:
    """应到 / 实到 / 缺席 / 免参 and the rate (exempt members are outside the denominator)."""
    counts = dict.fromkeys(Attendance.Status.values, 0)
    for status in record.attendance.values_list("status", flat=True):
        counts[status] += 1
    due = counts["present"] + counts["absent"]
    rate = round(counts["present"] * 100 / due, 1) if due else None
    return {
        "due": due,
        "present": counts["present"],
        "absent": counts["absent"],
        "exempt": counts["exempt"],
        "rate": rate,
    }


def _write_attendance(record: MeetingRecord, roster: Roster, entries: list[AttendanceEntry]) -> None:
    given = {a.member_id: a for a in entries}
    record.attendance.all().delete()
    rows = []
    for m in roster.due:
        a = given[m.pk]
        status = Attendance.Status.PRESENT if a.present else Attendance.Status.ABSENT
        rows.append(
            Attendance(
                record=record,
                member=m,
                status=status,
                absence_reason="" if a.present else a.reason.strip()[:120],
            )
        )
    rows += [Attendance(record=record, member=m, status=Attendance.Status.EXEMPT) for m in roster.exempt]
    Attendance.objects.bulk_create(rows)


def _attendance_map(record: MeetingRecord) -> dict[int, tuple[str, str]]:
    return {m: (s, r) for m, s, r in record.attendance.values_list("member_id", "status", "absence_reason")}


def recorded_roster(record: MeetingRecord) -> Roster:
    """The roster as recorded (amendments keep the people of the day, not today's membership)."""
    rows = list(record.attendance.select_related("member"))
    return Roster(
        [a.member for a in rows if a.status != Attendance.Status.EXEMPT],
        [a.member for a in rows if a.status == Attendance.Status.EXEMPT],
    )


# ---------------------------------------------------------------- history


def add_event(
    record: MeetingRecord,
    action: str,
    actor: User | None,
    reason: str = "",
    *,
    at: dt.datetime | None = None,
    **payload: Any,
) -> None:
    """One line of the record's history (every app's writes on a record use this)."""
    RecordEvent.objects.create(
        record=record,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        payload=payload,
        created_at=at or timezone.now(),
    )


def _audit(actor: User, action: str, record: MeetingRecord, **summary: Any) -> None:
    record_event(actor=actor, action=action, target=record, org=record.org, summary=summary)


def _snapshot(record: MeetingRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(record, name)
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        out[name] = value
    return out


def apply_record_data(record: MeetingRecord, data: RecordData) -> None:
    """Copy the validated input onto the record (the single-row services and the bulk path add_records)."""
    for name in DATA_FIELDS:
        value = getattr(data, name)
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    if record.meeting_type != MeetingType.LECTURE:
        record.lecturer_name = ""
    record.month = data.month


def _lock(record: MeetingRecord) -> MeetingRecord:
    return lock_rows(MeetingRecord.objects).select_related("org").get(pk=record.pk)


# ---------------------------------------------------------------- writes


@transaction.atomic
def create_record(
    *,
    actor: User,
    org: Organization,
    data: RecordData,
    photos: list[Any] | None = None,
    files: list[Any] | None = None,
    client_key: str = "",
) -> MeetingRecord:
    """A draft record with its attendance (and optionally its first photos and attachments).

    With a `client_key` (made by the submitting device for this record) a second submission of the same
    record returns the first one, marked `replayed`, and stores nothing.
    """
    if not can_create(actor, org):
        raise PermissionDenied("只有支部书记或支部管理员可以登记纪实")
    if client_key:
        if not CLIENT_KEY.fullmatch(client_key):
            raise ValidationError({"client_key": "提交标识格式不正确，请刷新页面后重新提交"})
        earlier = MeetingRecord.objects.filter(org=org, client_key=client_key).first()
        if earlier is not None:
            earlier.replayed = True  # type: ignore[attr-defined]
            return earlier
    roster = roster_for(org, data.meeting_type, data.group)
    _validate(org, data, roster, None)
    record = MeetingRecord(org=org, created_by=actor, client_key=client_key)
    apply_record_data(record, data)
    try:
        with transaction.atomic():  # a savepoint: the same key sent at the same moment loses the race here
            record.save()
    except IntegrityError:
        earlier = MeetingRecord.objects.filter(org=org, client_key=client_key).first()
        if not client_key or earlier is None:
            raise
        earlier.replayed = True  # type: ignore[attr-defined]
        return earlier
    _write_attendance(record, roster, data.attendance)
    _store_facts(record, roster, freeze_eligible=False)
    record.save()
    add_event(record, "created", actor, unplanned=record.plan_item_id is None)
    _audit(actor, AuditEvent.Action.CREATE, record, meeting_type=record.meeting_type)
    if photos or files:
        add_attachments(actor=actor, record=record, photos=photos or [], files=files or [])
    return record


@transaction.atomic
def update_record(*, actor: User, record: MeetingRecord, data: RecordData) -> MeetingRecord:
    """Edit a draft or returned record; anything submitted or approved is refused (RecordLocked)."""
    record = _lock(record)
    if record.status not in EDITABLE:
        raise RecordLocked() if record.status == S.APPROVED else RecordLocked("该纪实正在审核中，不能修改")
    if not can_create(actor, record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以修改纪实")
    roster = roster_for(record.org, data.meeting_type, data.group)
    _validate(record.org, data, roster, record)
    before = _snapshot(record)
    apply_record_data(record, data)
    record.save()
    _write_attendance(record, roster, data.attendance)
    _store_facts(record, roster, freeze_eligible=False)
    record.save()
    changed = {k: [before[k], v] for k, v in _snapshot(record).items() if before[k] != v}
    add_event(record, "edited", actor, changed=changed)
    _audit(actor, AuditEvent.Action.UPDATE, record, changed=changed)
    return record


@transaction.atomic
def add_attachments(
    *, actor: User, record: MeetingRecord, photos: list[Any], files: list[Any] | None = None
) -> list[RecordAttachment]:
    """Validate every upload first (all or nothing), then store each under a random name.

    New photos are checked for reuse by a task after commit (orglife.tasks.check_record_photos_task), so
    the request never waits for the detector: until it has run the record is `photos_pending`
    (照片查重中), and the caller's record object says so on return. A photo found to reuse a photo of
    another record (any branch), or repeated inside this one, is then linked by `reused_from` and both
    records are flagged `photo_reused` (the next patrol sample picks them first).
    """
    caller = record
    record = _lock(record)
    if record.status not in EDITABLE:
        raise RecordLocked("只有草稿或被退回的纪实可以添加照片和附件")
    if not can_create(actor, record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以上传照片")
    files = files or []
    have = record.attachments.filter(kind=RecordAttachment.Kind.PHOTO).count()
    if have + len(photos) > uploads.MAX_PHOTOS:
        raise ValidationError({"photos": [f"每条纪实最多 {uploads.MAX_PHOTOS} 张照片（已有 {have} 张）"]})
    cleaned: list[uploads.CleanFile] = []
    problems: list[tuple[str, str]] = []
    for kind, items in (("photos", photos), ("files", files)):
        for upload in items:
            try:
                cleaned.append(
                    uploads.clean_photo(upload) if kind == "photos" else uploads.clean_attachment(upload)
                )
            except ValidationError as exc:
                problems.extend((kind, m) for m in exc.messages)
    if problems:
        errors: dict[str, list[str]] = {}
        for kind, text in problems:
            errors.setdefault(kind, []).append(text)
        raise ValidationError(errors)
    saved = []
    for clean in cleaned:
        saved.append(store_attachment(record, clean))
    if any(a.kind == RecordAttachment.Kind.PHOTO for a in saved):
        MeetingRecord.objects.filter(pk=record.pk).update(photos_pending=True)
        record.photos_pending = caller.photos_pending = True
        from orglife import tasks  # the tasks module imports the services

        record_id = record.pk
        transaction.on_commit(lambda: tasks.check_record_photos_task.enqueue(record_id))
    add_event(record, "attached", actor, files=[a.original_name for a in saved])
    _audit(actor, AuditEvent.Action.UPDATE, record, attached=len(saved))
    return saved


def store_attachment(record: MeetingRecord, clean: uploads.CleanFile) -> RecordAttachment:
    """Store one cleaned upload under a random name. A photo is not checked here: the caller has it checked
    (orglife.services.photo_checks.check_stored: hashes, verification, both records marked on reuse)."""
    stored_name = uploads.random_name(clean.extension)
    attachment = RecordAttachment(
        record=record,
        kind=clean.kind,
        stored_name=stored_name,
        original_name=clean.original_name,
        content_type=clean.content_type,
        size=len(clean.content),
    )
    attachment.file.save(stored_name, ContentFile(clean.content), save=False)
    if clean.thumbnail is not None:
        default_storage.save(thumbnail_path(attachment), ContentFile(clean.thumbnail))
    attachment.save()
    return attachment


def thumbnail_path(attachment: RecordAttachment) -> str:
    return f"orglife/thumbs/{attachment.stored_name}"


@transaction.atomic
def remove_attachment(*, actor: User, attachment: RecordAttachment) -> None:
    record = _lock(attachment.record)
    if record.status not in EDITABLE:
        raise RecordLocked("只有草稿或被退回的纪实可以删除照片和附件")
    if not can_create(actor, record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以删除照片")
    name, thumb, path = attachment.original_name, thumbnail_path(attachment), attachment.file.name
    partners = set(
        PhotoMatch.objects.filter(Q(photo=attachment) | Q(other=attachment)).values_list(
            "record_id", "other_record_id"
        )
    )
    attachment.delete()
    photo_checks.refresh_flags({pk for pair in partners for pk in pair} | {record.pk})
    record.photo_reused = MeetingRecord.objects.values_list("photo_reused", flat=True).get(pk=record.pk)
    add_event(record, "detached", actor, file=name)
    _audit(actor, AuditEvent.Action.DELETE, record, detached=name)

    def unlink() -> None:
        for p in (path, thumb):
            if p and default_storage.exists(p):
                default_storage.delete(p)

    transaction.on_commit(unlink)


@transaction.atomic
def submit_record(*, actor: User, record: MeetingRecord) -> MeetingRecord:
    """Submit for the secretary. A meeting more than `backfill_days` old is a back-fill (补录)."""
    record = _lock(record)
    if record.status not in EDITABLE:
        raise RecordLocked("该纪实已提交或已审核")
    if not can_create(actor, record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以提交纪实")
    now = timezone.now()
    errors = {}
    if not record.attachments.filter(kind=RecordAttachment.Kind.PHOTO).exists():
        errors["photos"] = ["提交前请至少上传1张会议照片"]
    if record.started_at > now:
        errors["started_at"] = ["会议尚未召开，不能提交纪实"]
    if errors:
        raise ValidationError(errors)
    backfill_days = ruleset_for(record.month).backfill_days
    record.is_backfill = now - record.started_at > dt.timedelta(days=backfill_days)
    _store_facts(record, recorded_roster(record), freeze_eligible=False)
    record.status = S.SUBMITTED
    record.submitted_by = actor
    record.save()
    add_event(record, "submitted", actor, backfill=record.is_backfill, backfill_days=backfill_days)
    _audit(actor, AuditEvent.Action.UPDATE, record, status=record.status, backfill=record.is_backfill)
    return record


@transaction.atomic
def approve_record(*, actor: User, record: MeetingRecord) -> MeetingRecord:
    """The secretary's approval; a back-fill then waits for the committee (补录须上级审核)."""
    record = _lock(record)
    if record.status not in (S.SUBMITTED, S.AWAITING_COMMITTEE):
        raise RecordLocked("该纪实不在待审核状态")
    committee = can_committee_approve(actor, record.org)
    if record.status == S.SUBMITTED and not can_approve(actor, record.org):
        raise PermissionDenied("只有本支部书记或上级党(工)委可以审核纪实")
    if record.status == S.AWAITING_COMMITTEE and not committee:
        raise PermissionDenied("补录的纪实须由上级党(工)委审核")
    if record.status == S.SUBMITTED and record.is_backfill and not committee:
        record.status = S.AWAITING_COMMITTEE
        record.save()
        add_event(record, "approved_by_secretary", actor, next="awaiting_committee")
        _audit(actor, AuditEvent.Action.UPDATE, record, status=record.status)
        return record
    record.status = S.APPROVED
    record.approved_by = actor
    record.approved_at = timezone.now()
    record.save()
    add_event(record, "approved", actor, by_committee=committee)
    _audit(actor, AuditEvent.Action.UPDATE, record, status=record.status)
    refresh_after_change(record.org, record.month)
    if record.counts:
        _award_points(actor, record, present_members(record))
    return record


@transaction.atomic
def return_record(*, actor: User, record: MeetingRecord, reason: str) -> MeetingRecord:
    record = _lock(record)
    if record.status not in (S.SUBMITTED, S.AWAITING_COMMITTEE):
        raise RecordLocked("该纪实不在待审核状态")
    if not can_review(actor, record):
        raise PermissionDenied("您不能审核这条纪实")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写退回原因"]})
    record.status = S.RETURNED
    record.save()
    add_event(record, "returned", actor, reason=reason.strip())
    _audit(actor, AuditEvent.Action.UPDATE, record, status=record.status, reason=reason.strip()[:200])
    return record


@transaction.atomic
def amend_record(*, actor: User, record: MeetingRecord, data: RecordData, reason: str) -> MeetingRecord:
    """更正 an approved record: it stays approved; the changed fields (before → after) are kept as history.

    The people on the attendance list are those of the day; the meeting type and 党小组 cannot change.
    """
    record = _lock(record)
    if record.status != S.APPROVED:
        raise RecordLocked("只有已审核的纪实需要更正；未审核的纪实请直接修改")
    if not can_approve(actor, record.org):
        raise PermissionDenied("只有支部书记或上级党(工)委可以更正已审核的纪实")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写更正原因"]})
    if data.meeting_type != record.meeting_type or (data.group.pk if data.group else None) != record.group_id:
        raise ValidationError({"meeting_type": ["更正不能改变会议类型或党小组"]})
    roster = recorded_roster(record)
    _validate(record.org, data, roster, record)
    before, before_att, old_month = _snapshot(record), _attendance_map(record), record.month
    apply_record_data(record, data)
    record.save()
    _write_attendance(record, roster, data.attendance)
    _store_facts(record, roster, freeze_eligible=True)
    record.save()
    changed = {k: [before[k], v] for k, v in _snapshot(record).items() if before[k] != v}
    after_att = _attendance_map(record)
    names = {m.pk: m.name for m in roster.due}
    att_changed = {
        names[m]: [before_att.get(m, ("", ""))[0], after_att[m][0]]
        for m in after_att
        if m in names and before_att.get(m, ("", ""))[0] != after_att[m][0]
    }
    if not changed and not att_changed:
        raise ValidationError({"reason": ["没有任何修改"]})
    add_event(record, "amended", actor, reason=reason.strip(), changed=changed, attendance=att_changed)
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        record,
        amended=True,
        reason=reason.strip()[:200],
        changed=changed,
        attendance=att_changed,
    )
    for month in {old_month, record.month}:
        refresh_after_change(record.org, month)
    if record.counts:
        was = {m for m, (s, _) in before_att.items() if s == Attendance.Status.PRESENT}
        now_present = {m for m, (s, _) in after_att.items() if s == Attendance.Status.PRESENT}
        _reverse_points(actor, record, was - now_present, f"纪实更正：{reason.strip()}")
        _award_points(actor, record, [m for m in roster.due if m.pk in now_present - was])
    return record


@transaction.atomic
def record_stopped_counting(*, actor: User | None, record: MeetingRecord, reason: str) -> None:
    """Call after a record is set `counts=False` (e.g. a patrol orders the meeting re-held)."""
    _reverse_points(actor, record, {m.pk for m in present_members(record)}, reason)
    refresh_after_change(record.org, record.month)


@transaction.atomic
def stop_counting(
    *,
    actor: User | None,
    record: MeetingRecord,
    action: str,
    reason: str,
    points_reason: str,
    at: dt.datetime | None = None,
    **payload: Any,
) -> MeetingRecord:
    """要求重新召开 (a patrol's or an observer's order): the record stops counting towards completion, its
    history says who ordered it and why, the attendees' automatic points are reversed and the stats
    refreshed. `at` dates the history line (history imports); the caller checks who may order it."""
    locked = lock_rows(MeetingRecord.objects).select_related("org").get(pk=record.pk)
    locked.counts = False
    locked.save(update_fields=["counts", "updated_at"])
    add_event(locked, action, actor, reason, at=at, **payload)
    record_stopped_counting(actor=actor, record=locked, reason=points_reason)
    record.counts = False
    return locked


# ---------------------------------------------------------------- learning points (optional app)


def present_members(record: MeetingRecord) -> list[Member]:
    return [
        a.member
        for a in record.attendance.filter(status=Attendance.Status.PRESENT).select_related("member__org")
    ]


def _source_id(record: MeetingRecord, member_id: int) -> str:
    return f"{record.pk}:{member_id}"


def _award_points(actor: User, record: MeetingRecord, members: list[Member]) -> None:
    """Attendance points for an approved record; points problems never fail the record (own savepoint)."""
    if not members:
        return
    day = timezone.localtime(record.started_at).date()
    note = f"{record.get_meeting_type_display()}：{record.topic}"[:200]
    for member in members:
        try:
            with transaction.atomic():
                points_services.award_automatic(
                    actor=actor,
                    member=member,
                    item_code=POINTS_ITEM,
                    occurred_on=day,
                    source_type=POINTS_SOURCE,
                    source_id=_source_id(record, member.pk),
                    note=note,
                )
        except Exception:  # a missing item code or any points problem must not undo the approval
            log.warning(
                "orglife: attendance points not awarded for record %s member %s",
                record.pk,
                member.pk,
                exc_info=True,
            )


def _reverse_points(actor: User | None, record: MeetingRecord, member_ids: set[int], reason: str) -> None:
    if not member_ids:
        return
    for member_id in sorted(member_ids):
        try:
            with transaction.atomic():
                points_services.reverse_automatic(
                    actor=actor,
                    source_type=POINTS_SOURCE,
                    source_id=_source_id(record, member_id),
                    reason=reason or "纪实更正",
                )
        except Exception:
            log.warning(
                "orglife: attendance points not reversed for record %s member %s",
                record.pk,
                member_id,
                exc_info=True,
            )
