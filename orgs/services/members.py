"""Writes for members and their posts, one at a time (pages, API) and in bulk (imports, the demo county)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import personal
from audit.models import AuditEvent
from audit.services import diff, record_event, snapshot
from orgs import reference
from orgs.access import Actor, covers
from orgs.models import Member, Organization, Position, RoleGrant
from orgs.roles import POST_ROLES
from orgs.services.tree import require_write, require_write_all
from personal import idcard

MEMBER_PLAIN_FIELDS = (  # the member's own fields, copied from MemberData as they are
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "full_member_on",
    "occupation",
    "status",
    "is_exempt",
    "exempt_reason",
)
MEMBER_AUDIT_FIELDS = [*MEMBER_PLAIN_FIELDS, "id_number_masked", "org", "party_group", "phone_masked"]


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # born on 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class MemberData:
    """Validated input for a member; id_number and phone are plain here and nowhere else."""

    name: str
    id_number: str
    category: str
    joined_on: dt.date
    org: Organization
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = "汉族"
    education: str = ""
    full_member_on: dt.date | None = None
    party_group: Organization | None = None
    phone: str = ""
    occupation: str = ""
    status: str = Member.Status.NORMAL
    is_exempt: bool = False
    exempt_reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


# Computed once: a Choices class's `.values` builds a new list on every access.
_CATEGORIES = frozenset(Member.Category.values)
_STATUSES = frozenset(Member.Status.values)
_TITLES = frozenset(Position.Title.values)


def validate_member(
    data: MemberData,
    *,
    existing: Member | None = None,
    check_duplicates: bool = True,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """Every rule a member must satisfy; returns {field: [Chinese messages]} (empty when valid).

    Bulk callers (the roster import) pass check_duplicates=False and check ID clashes in one query, and
    pass `today` (the local date, taken once for the batch) instead of having it looked up per row.
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.name.strip():
        add("name", "姓名不能为空")
    try:
        number, birth, gender = idcard.parse(data.id_number)
    except idcard.InvalidIdNumber as exc:
        add("id_number", str(exc))
    else:
        data.id_number = number
        if data.birth_date is None:
            data.birth_date = birth
        elif data.birth_date != birth:
            add("birth_date", "出生日期与公民身份号码不一致")
        if not data.gender:
            data.gender = gender
        elif data.gender != gender:
            add("gender", "性别与公民身份号码不一致")
        if check_duplicates:
            clash = Member.objects.filter(id_number_hash=personal.blind_index("id", number))
            if existing is not None:
                clash = clash.exclude(pk=existing.pk)
            if clash.exists():
                add("id_number", "该公民身份号码已登记为党员")
    if data.category not in _CATEGORIES:
        add("category", "人员类别应为正式党员或预备党员")
    if data.birth_date and data.joined_on and data.joined_on <= data.birth_date:
        add("joined_on", "入党日期应晚于出生日期")
    if (
        data.birth_date
        and data.joined_on
        and data.joined_on < _years_after(data.birth_date, 18) - dt.timedelta(days=1)
    ):
        add("joined_on", "入党时应年满十八周岁")
    if data.joined_on and data.joined_on > (today or timezone.localdate()):
        add("joined_on", "入党日期不能晚于今天")
    if data.category == Member.Category.FULL and not data.full_member_on:
        add("full_member_on", "正式党员应填写转正日期")
    if data.category == Member.Category.PROBATIONARY and data.full_member_on:
        add("full_member_on", "预备党员不应有转正日期")
    if data.full_member_on and data.joined_on and data.full_member_on < data.joined_on:
        add("full_member_on", "转正日期不能早于入党日期")
    if data.phone and not (data.phone.isdigit() and 7 <= len(data.phone) <= 12):
        add("phone", "联系电话应为7至12位数字")
    if data.org.kind == Organization.Kind.GROUP:
        add("org", "党员应隶属党支部等组织，党小组请填在“所在党小组”")
    if data.party_group is not None and (
        data.party_group.kind != Organization.Kind.GROUP or data.party_group.parent_id != data.org.pk
    ):
        add("party_group", "党小组应为所在党组织下设的党小组")
    if data.is_exempt and not data.exempt_reason.strip():
        add("exempt_reason", "免参组织生活应注明原因")
    if data.status not in _STATUSES:
        add("status", "党籍状态无效")
    return errors


def apply_member_data(member: Member, data: MemberData, *, today: dt.date | None = None) -> None:
    for name in (*MEMBER_PLAIN_FIELDS, "org", "party_group"):
        setattr(member, name, getattr(data, name))
    member.name = member.name.strip()
    member.set_id_number(data.id_number)
    member.set_phone(data.phone)
    # The retention period of personal data (orgs.retention) runs from the day the member left or died.
    if member.status in (Member.Status.LEFT, Member.Status.DECEASED):
        member.left_on = member.left_on or today or timezone.localdate()
    else:
        member.left_on = None


# The columns of `member_rows`' tuples, for orgs.bulkinsert.insert_rows.
MEMBER_ROW_COLUMNS = (
    *MEMBER_PLAIN_FIELDS,
    "org_id",
    "party_group_id",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "left_on",
)


def member_rows(rows: list[MemberData], *, today: dt.date) -> list[tuple[Any, ...]]:
    """What `apply_member_data` sets on a new Member, for many rows at once, as tuples of MEMBER_ROW_COLUMNS
    for `orgs.bulkinsert.insert_rows`: no model instances, and the ID numbers and phones encrypted and hashed
    with personal's batch helpers (the key taken once). The rows must be valid (validate_member)."""
    ids = [data.id_number for data in rows]
    phones = [(data.phone or "").strip() for data in rows]
    id_enc, id_hash = personal.encrypt_many(ids), personal.blind_index_many("id", ids)
    phone_enc, phone_hash = personal.encrypt_many(phones), personal.blind_index_many("phone", phones)
    gone = (Member.Status.LEFT, Member.Status.DECEASED)
    mask_id, mask_phone = personal.mask_id_number, personal.mask_phone
    return [
        (
            *(data.name.strip() if name == "name" else getattr(data, name) for name in MEMBER_PLAIN_FIELDS),
            data.org.pk,
            data.party_group.pk if data.party_group is not None else None,
            id_enc[i],
            id_hash[i],
            mask_id(ids[i]),
            phone_enc[i],
            phone_hash[i],
            mask_phone(phones[i]),
            # The retention period of personal data (orgs.retention) runs from the day the member left or died.
            today if data.status in gone else None,
        )
        for i, data in enumerate(rows)
    ]


@transaction.atomic
def create_member(*, actor: Actor, data: MemberData) -> Member:
    require_write(actor, data.org)
    errors = validate_member(data)
    if errors:
        raise ValidationError(errors)
    member = Member()
    apply_member_data(member, data)
    member.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=member,
        org=data.org,
        summary=snapshot(member, MEMBER_AUDIT_FIELDS),
    )
    return member


@transaction.atomic
def update_member(*, actor: Actor, member: Member, data: MemberData) -> Member:
    require_write(actor, member.org)
    require_write(actor, data.org)
    errors = validate_member(data, existing=member)
    if errors:
        raise ValidationError(errors)
    before = snapshot(member, MEMBER_AUDIT_FIELDS)
    apply_member_data(member, data)
    member.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=member,
        org=member.org,
        summary=diff(before, snapshot(member, MEMBER_AUDIT_FIELDS)),
    )
    return member


def reveal_member_personal_data(*, actor: Actor, member: Member, reason: str) -> dict[str, str]:
    """Return the full ID number and phone; needs the permission and a reason, and is audited."""
    if not actor.has_perm("orgs.unmask_member") or not covers(actor, member.org.path):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ["请说明查看原因"]})
    record_event(
        actor=actor,
        action=AuditEvent.Action.UNMASK,
        target=member,
        org=member.org,
        summary={"reason": reason},
    )
    return {"id_number": personal.decrypt(member.id_number_enc), "phone": personal.decrypt(member.phone_enc)}


@transaction.atomic
def add_position(
    *, actor: Actor, member: Member, org: Organization, title: str, started_on: dt.date
) -> Position:
    require_write(actor, org)
    if title not in _TITLES:
        raise ValidationError({"title": ["职务无效"]})
    # A member holds posts in their own organization, an ancestor of it, or one of its 党小组.
    if not (member.org.path.startswith(org.path) or org.parent_id == member.org_id):
        raise ValidationError({"org": ["只能在本人所在组织、其上级组织或所在党小组任职"]})
    position = Position(member=member, org=org, title=title, started_on=started_on)
    position.full_clean()
    position.save()
    if title == Position.Title.SECRETARY:
        org.secretary_name = member.name
        org.save(update_fields=["secretary_name", "updated_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=position,
        org=org,
        summary={"member": member.name, "title": position.get_title_display(), "started_on": str(started_on)},
    )
    return position


@transaction.atomic
def end_position(*, actor: Actor, position: Position, ended_on: dt.date) -> Position:
    require_write(actor, position.org)
    if ended_on < position.started_on:
        raise ValidationError({"ended_on": ["离任日期不能早于任职日期"]})
    position.ended_on = ended_on
    position.save(update_fields=["ended_on"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=position,
        org=position.org,
        summary={"ended_on": str(ended_on)},
    )
    revoke_post_grants(actor=actor, position=position)
    return position


def revoke_post_grants(*, actor: Actor | None, position: Position) -> int:
    """Revoke the roles an ended post implied (RoleGrant.position); returns how many were revoked.

    A grant another current post of the same member on the same node still implies (组织委员 and 联系人
    both imply 组织委员/联系人) moves to that post instead of going.
    """
    revoked = 0
    for grant in RoleGrant.objects.filter(position=position).select_related("user", "org").order_by("pk"):
        titles = [title for title, role in POST_ROLES.items() if role == grant.role]
        other = (
            Position.objects.current()
            .filter(member_id=position.member_id, org_id=position.org_id, title__in=titles)
            .exclude(pk=position.pk)
            .order_by("pk")
            .first()
        )
        if other is not None:
            grant.position = other
            grant.save(update_fields=["position"])
            continue
        record_event(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=grant,
            org=grant.org,
            summary={"role": grant.role, "user": grant.user.get_username(), "via": "post_ended"},
        )
        grant.delete()
        revoked += 1
    return revoked


# ---------------------------------------------------------------- bulk paths (imports, the demo county)
# The same rules as the one-at-a-time services above, checked for a whole batch with a bounded number of
# queries. They record no audit row per object: the caller records one event for the batch.


def add_members(*, actor: Actor | None, rows: list[MemberData], batch_size: int = 2000) -> list[Member]:
    """Insert new members: validate_member's rules for every row, no ID number twice (in the batch or
    already registered), the actor writing in every organization named. All or nothing."""
    require_write_all(actor, [data.org for data in rows])
    errors: dict[str, list[str]] = {}
    members: list[Member] = []
    hashes: dict[str, int] = {}
    today = timezone.localdate()
    for index, data in enumerate(rows, start=1):
        for name, messages in validate_member(data, check_duplicates=False, today=today).items():
            errors.setdefault(name, []).extend(f"第 {index} 人（{data.name}）：{m}" for m in messages)
        member = Member()
        apply_member_data(member, data, today=today)
        if member.id_number_hash in hashes:
            errors.setdefault("id_number", []).append(
                f"第 {index} 人（{data.name}）：公民身份号码与第 {hashes[member.id_number_hash]} 人重复"
            )
        hashes.setdefault(member.id_number_hash, index)
        members.append(member)
    clash = Member.objects.filter(id_number_hash__in=list(hashes)).values_list("id_number_hash", flat=True)
    for found in clash.iterator():
        data = rows[hashes[found] - 1]
        errors.setdefault("id_number", []).append(
            f"第 {hashes[found]} 人（{data.name}）：该公民身份号码已登记为党员"
        )
    if errors:
        raise ValidationError(errors)
    Member.objects.bulk_create(members, batch_size=batch_size)
    return members


def add_positions(*, actor: Actor | None, rows: list[Position], batch_size: int = 2000) -> None:
    """Insert posts held by saved members (`member` and `org` set on each row): add_position's rules."""
    require_write_all(actor, [row.org for row in rows])
    for row in rows:
        if row.title not in _TITLES:
            raise ValidationError({"title": ["职务无效"]})
        member, org = row.member, row.org
        if not (member.org.path.startswith(org.path) or org.parent_id == member.org_id):
            raise ValidationError({"org": [f"{member.name}：只能在本人所在组织、其上级组织或所在党小组任职"]})
    Position.objects.bulk_create(rows, batch_size=batch_size)
    secretaries = {
        row.org_id: row for row in rows if row.title == Position.Title.SECRETARY and row.ended_on is None
    }
    orgs = []
    for row in secretaries.values():
        row.org.secretary_name = row.member.name
        orgs.append(row.org)
    Organization.objects.bulk_update(orgs, ["secretary_name"], batch_size=batch_size)
    if orgs:
        reference.bump()  # bulk writes send no signal
