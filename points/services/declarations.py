"""个人申报 → 计分员记录 → 党支部审核: the declaration state machine and the quarterly review.

DECLARED ──verify──▶ RECORDED ──confirm_quarter──▶ CONFIRMED (a ledger entry is written)
    │                    │
    └──reject──▶ REJECTED ◀──reject (returned at review)
                    │
                    └──resubmit──▶ DECLARED
DECLARED ──withdraw (the member)──▶ WITHDRAWN
A recorder who records on a member's behalf creates the declaration directly as RECORDED.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import holds, own_member_id
from orgs.models import Member, Organization
from points.models import Declaration, DeclarationEvent, LedgerEntry, PointRule, QuarterReview
from points.periods import quarter_bounds, quarter_of
from points.roles import RECORD_ROLES, REVIEW_ROLES
from points.services.ledger import RuleBook, Usage, build_entry, lock_members, write_entries

S = Declaration.Status
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _event(declaration: Declaration, action: str, actor: User, note: str = "") -> None:
    DeclarationEvent.objects.create(declaration=declaration, action=action, actor=actor, note=note[:200])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE if action != "declared" else AuditEvent.Action.CREATE,
        target=declaration,
        org=declaration.org,
        summary={"points_declaration": action, "note": note[:200]},
    )


def _check_evidence(rule: PointRule, description: str, link: str, file: Any) -> None:
    E = PointRule.Evidence
    missing: tuple[str, bool, str] | None = {
        E.TEXT: ("description", not description.strip(), "请填写情况说明"),
        E.LINK: ("evidence_link", not link.strip(), "该项目须填写关联记录或链接"),
        E.PHOTO: ("evidence_file", not file, "该项目须上传照片"),
        E.FILE: ("evidence_file", not file, "该项目须上传佐证材料"),
    }.get(rule.evidence)  # type: ignore[call-overload]
    if missing and missing[1]:
        raise ValidationError({missing[0]: [missing[2]]})


def _check_not_future(day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationError({"occurred_on": ["发生日期不能晚于今天"]})


def _check_declarable(rule: PointRule, *, on_behalf: bool) -> None:
    if not rule.declarable and not on_behalf:
        raise ValidationError({"rule": ["该项目由系统自动记分，无需申报"]})


def _reviewed_quarters(org_ids: Iterable[int], days: Iterable[dt.date]) -> set[tuple[int, int, int]]:
    """(branch id, year, quarter) of the reviews already confirmed for these branches in these years."""
    reviews = QuarterReview.objects.filter(branch_id__in=set(org_ids), year__in={d.year for d in days})
    return set(reviews.values_list("branch_id", "year", "quarter"))


def _check_open(org: Organization, day: dt.date, reviewed: set[tuple[int, int, int]] | None = None) -> None:
    if reviewed is None:
        reviewed = _reviewed_quarters([org.pk], [day])
    if (org.pk, day.year, quarter_of(day)) in reviewed:
        raise ValidationError(
            {"occurred_on": [f"{day.year}年第{quarter_of(day)}季度已由支部审定，不能再申报"]}
        )


def _check_room(member: Member, rule: PointRule, day: dt.date, usage: Usage | None = None) -> None:
    """Refuse a claim that caps would cut to nothing, counting what is booked and what is pending."""
    if usage is None:
        usage = Usage([member.pk], [day], pending=True)
    room, reasons = usage.room(member.pk, rule, day)
    if room is not None and room <= 0:
        raise ValidationError({"rule": ["已达上限，不能再申报：" + "；".join(reasons)]})


@transaction.atomic
def declare(
    *,
    actor: User,
    member: Member,
    item_code: str,
    occurred_on: dt.date,
    description: str = "",
    evidence_link: str = "",
    evidence_file: Any = None,
    today: dt.date | None = None,
    client_key: str = "",
) -> Declaration:
    """A member declares an occurrence; a recorder declaring for someone else records it at once.

    With a `client_key` (made by the declaring device) the same declaration sent again returns the first
    one, marked `replayed`, and stores nothing."""
    is_self = own_member_id(actor) == member.pk
    on_behalf = not is_self and holds(actor, RECORD_ROLES, member.org.path)
    if not (is_self or on_behalf):
        raise PermissionDenied("只能为本人申报积分")
    if client_key and not CLIENT_KEY.fullmatch(client_key):
        raise ValidationError({"client_key": ["提交标识格式不正确，请刷新页面后重新提交"]})
    member = lock_members([member.pk])[member.pk]  # a resend waits here for the first to finish
    if client_key:
        earlier = Declaration.objects.filter(declared_by=actor, client_key=client_key).first()
        if earlier is not None:
            earlier.replayed = True  # type: ignore[attr-defined]
            return earlier
    _check_not_future(occurred_on, today or timezone.localdate())
    rule = RuleBook().require(member.org, item_code, occurred_on)
    _check_declarable(rule, on_behalf=on_behalf)
    _check_evidence(rule, description, evidence_link, evidence_file)
    _check_open(member.org, occurred_on)
    _check_room(member, rule, occurred_on)
    now = timezone.now()
    declaration = Declaration.objects.create(
        member=member,
        org=member.org,
        rule=rule,
        occurred_on=occurred_on,
        description=description.strip(),
        evidence_link=evidence_link.strip(),
        evidence_file=evidence_file or "",
        declared_by=actor,
        status=S.RECORDED if on_behalf else S.DECLARED,
        recorded_by=actor if on_behalf else None,
        recorded_at=now if on_behalf else None,
        client_key=client_key,
    )
    _event(declaration, "declared", actor)
    if on_behalf:
        _event(declaration, "recorded", actor, "计分员代为记录")
    return declaration


def _lock(declaration: Declaration) -> Declaration:
    lock_members([declaration.member_id])
    return Declaration.objects.select_related("org", "member", "rule").get(pk=declaration.pk)


@transaction.atomic
def verify_declaration(*, actor: User, declaration: Declaration) -> Declaration:
    """计分员审核无误后记录 (the 积分登记表 line)."""
    declaration = _lock(declaration)
    if not holds(actor, RECORD_ROLES, declaration.org.path):
        raise PermissionDenied("只有计分员可以审核申报")
    if own_member_id(actor) == declaration.member_id:
        raise PermissionDenied("不能审核本人的申报")
    if declaration.status != S.DECLARED:
        raise ValidationError(f"当前状态“{declaration.get_status_display()}”不能记录")
    declaration.status = S.RECORDED
    declaration.recorded_by = actor
    declaration.recorded_at = timezone.now()
    declaration.reject_reason = ""
    declaration.save(update_fields=["status", "recorded_by", "recorded_at", "reject_reason", "updated_at"])
    _event(declaration, "recorded", actor)
    return declaration


@transaction.atomic
def reject_declaration(*, actor: User, declaration: Declaration, reason: str) -> Declaration:
    """The scorekeeper rejects a declaration, or the branch returns a recorded one before its review."""
    declaration = _lock(declaration)
    transitions: dict[str, frozenset[str]] = {
        S.DECLARED: RECORD_ROLES,
        S.RECORDED: RECORD_ROLES | REVIEW_ROLES,
    }
    allowed = transitions.get(declaration.status)
    if allowed is None:
        raise ValidationError(f"当前状态“{declaration.get_status_display()}”不能退回")
    if not holds(actor, allowed, declaration.org.path):
        raise PermissionDenied("您不能退回该申报")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写退回原因"]})
    declaration.status = S.REJECTED
    declaration.reject_reason = reason.strip()[:200]
    declaration.save(update_fields=["status", "reject_reason", "updated_at"])
    _event(declaration, "rejected", actor, reason)
    return declaration


@transaction.atomic
def resubmit_declaration(
    *,
    actor: User,
    declaration: Declaration,
    description: str,
    evidence_link: str = "",
    evidence_file: Any = None,
    occurred_on: dt.date | None = None,
) -> Declaration:
    """The member corrects a rejected declaration and submits it again."""
    declaration = _lock(declaration)
    if own_member_id(actor) != declaration.member_id:
        raise PermissionDenied("只能重新提交本人的申报")
    if declaration.status != S.REJECTED:
        raise ValidationError("只有被退回的申报可以重新提交")
    day = occurred_on or declaration.occurred_on
    _check_not_future(day, timezone.localdate())
    rule = RuleBook().require(declaration.member.org, declaration.rule.code, day)
    file = evidence_file or declaration.evidence_file
    _check_evidence(rule, description, evidence_link, file)
    _check_open(declaration.org, day)
    _check_room(declaration.member, rule, day)
    declaration.rule, declaration.occurred_on = rule, day
    declaration.description, declaration.evidence_link = description.strip(), evidence_link.strip()
    if evidence_file:
        declaration.evidence_file = evidence_file
    declaration.status = S.DECLARED
    declaration.submissions += 1
    declaration.save()
    _event(declaration, "resubmitted", actor)
    return declaration


@transaction.atomic
def withdraw_declaration(*, actor: User, declaration: Declaration) -> Declaration:
    """The member takes back their own declaration while the scorekeeper has not yet acted on it."""
    declaration = _lock(declaration)
    if own_member_id(actor) != declaration.member_id:
        raise PermissionDenied("只能撤回本人的申报")
    if declaration.status != S.DECLARED:
        raise ValidationError(
            f"当前状态“{declaration.get_status_display()}”不能撤回，只有待计分员审核的申报可以撤回"
        )
    declaration.status = S.WITHDRAWN
    declaration.save(update_fields=["status", "updated_at"])
    _event(declaration, "withdrawn", actor)
    return declaration


@transaction.atomic
def add_declarations(
    *,
    actor: User | None,
    rows: Sequence[Declaration],
    today: dt.date | None = None,
    skip_full: bool = False,
) -> list[Declaration]:
    """Insert many declarations at once (the demo generator): `declare`'s rules for every row — not in
    the future, the item in force on its date and declarable, its evidence, the quarter not yet reviewed,
    room under the caps counting what is booked and pending (earlier rows of the batch included).

    Each row names `member`, `rule` (any version's rule for the item: the one in force is looked up),
    `occurred_on`, `declared_by` and a `status` of DECLARED, RECORDED or REJECTED (with its
    `reject_reason`). `actor` None is the system; an actor must be a recorder of every branch. One lock
    pass, one read of usage and reviews, bulk inserts; no audit row per declaration (the caller records
    one for the batch). All or nothing, except that `skip_full` leaves out (rather than refuses) a row
    the caps leave no room for.
    """
    if not rows:
        return []
    members = lock_members(row.member_id for row in rows)
    if actor is not None:
        for path in {m.org.path for m in members.values()}:
            if not holds(actor, RECORD_ROLES, path):
                raise PermissionDenied("只有计分员可以代为申报")
    today = today or timezone.localdate()
    days = [row.occurred_on for row in rows]
    usage = Usage(members.keys(), days, pending=True)
    reviewed = _reviewed_quarters({m.org_id for m in members.values()}, days)
    book = RuleBook()
    now = timezone.now()
    accepted: list[Declaration] = []
    for row in rows:
        member = members[row.member_id]
        if row.status not in (S.DECLARED, S.RECORDED, S.REJECTED):
            raise ValidationError({"status": [f"不能直接写入“{row.get_status_display()}”的申报"]})
        if row.status == S.REJECTED and not row.reject_reason.strip():
            raise ValidationError({"reason": ["请填写退回原因"]})
        _check_not_future(row.occurred_on, today)
        rule = book.require(member.org, row.rule.code, row.occurred_on)
        _check_declarable(rule, on_behalf=False)
        _check_evidence(rule, row.description, row.evidence_link, row.evidence_file)
        _check_open(member.org, row.occurred_on, reviewed)
        try:
            _check_room(member, rule, row.occurred_on, usage)
        except ValidationError:
            if skip_full:
                continue
            raise
        if row.status != S.REJECTED:
            usage.add(member.pk, rule.code, rule.block.code, row.occurred_on, rule.points)
        row.member, row.org, row.rule = member, member.org, rule
        if row.status == S.RECORDED and row.recorded_at is None:
            row.recorded_at = now
        accepted.append(row)
    written = Declaration.objects.bulk_create(accepted)
    events = [DeclarationEvent(declaration=d, action="declared", actor=d.declared_by) for d in written]
    events += [
        DeclarationEvent(declaration=d, action="recorded", actor=d.recorded_by)
        for d in written
        if d.status == S.RECORDED
    ]
    events += [
        DeclarationEvent(declaration=d, action="rejected", actor=actor, note=d.reject_reason[:200])
        for d in written
        if d.status == S.REJECTED
    ]
    DeclarationEvent.objects.bulk_create(events)
    return written


@transaction.atomic
def confirm_quarter(
    *,
    actor: User,
    branch: Organization,
    year: int,
    quarter: int,
    remarks: str = "",
    today: dt.date | None = None,
) -> QuarterReview:
    """季度审定: every recorded declaration of the branch in the quarter enters the ledger, caps applied."""
    if not holds(actor, REVIEW_ROLES, branch.path):
        raise PermissionDenied("只有支部书记或支部管理员可以审定")
    start, end = quarter_bounds(year, quarter)
    if (today or timezone.localdate()) <= end:
        raise ValidationError(f"{year}年第{quarter}季度尚未结束，不能审定")
    if QuarterReview.objects.filter(branch=branch, year=year, quarter=quarter).exists():
        raise ValidationError(f"{year}年第{quarter}季度已审定")
    in_quarter = Declaration.objects.filter(org=branch, occurred_on__range=(start, end))
    waiting = in_quarter.filter(status=S.DECLARED).count()
    if waiting:
        raise ValidationError(f"尚有 {waiting} 条申报待计分员审核，请先处理")
    recorded = in_quarter.filter(status=S.RECORDED)
    members = lock_members(recorded.values_list("member_id", flat=True))
    todo = list(recorded.select_related("rule", "rule__block").order_by("occurred_on", "pk"))
    usage = Usage(members.keys(), [d.occurred_on for d in todo])
    book = RuleBook()
    now = timezone.now()
    entries = []
    for d in todo:
        member = members[d.member_id]
        # Scored under the version in force on its date, even if a later edition was published meanwhile.
        rule = book.rule(member.org, d.rule.code, d.occurred_on) or d.rule
        entries.append(
            build_entry(
                usage=usage,
                member=member,
                rule=rule,
                occurred_on=d.occurred_on,
                source_type=LedgerEntry.Source.DECLARATION,
                source_id=str(d.pk),
                declaration=d,
                recorded_by=d.recorded_by,
                reviewed_by=actor,
                now=now,
            )
        )
        entries[-1].org_id = branch.pk  # the entry belongs to the reviewing branch
    write_entries(entries)
    recorded.update(status=S.CONFIRMED, updated_at=now)
    DeclarationEvent.objects.bulk_create(
        [DeclarationEvent(declaration=d, action="confirmed", actor=actor) for d in todo]
    )
    review = QuarterReview.objects.create(
        branch=branch,
        year=year,
        quarter=quarter,
        remarks=remarks.strip(),
        confirmed_by=actor,
        confirmed_at=now,
        entries_written=len(entries),
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=review,
        org=branch,
        summary={"points_entries": len(entries)},
    )
    return review
