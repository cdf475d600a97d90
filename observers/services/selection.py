"""观察员选聘: candidates (组织推荐/个人自荐/双向选择), the joint review group's veto, appointment.

A candidate needs settings.OBSERVER_MIN_PARTY_WORK_YEARS of party-affairs work. Every active ReviewUnit
records 无异议 or 有异议; ONE objection rejects the candidate for good (严防带病上岗) and the reason is kept.
When every active unit agrees, the 党(工)委 (or the 组织部) appoints: an Observer with the next 聘书编号 of
the year (太观聘〔2026〕001号) and 工作证编号, and a login with Role.OBSERVER (the member's existing account,
or a new one with a generated initial password shown once and must_change_password=True).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.services import create_user, grant_role
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import Candidate, Observer, ReviewOpinion, ReviewUnit
from orgs.access import covers
from orgs.models import Member, Organization
from orgs.roles import Role

LETTER_PREFIX_DEFAULT = "太观聘"
CARD_PREFIX_DEFAULT = "太观证"


def letter_prefix() -> str:
    return getattr(settings, "OBSERVER_LETTER_PREFIX", LETTER_PREFIX_DEFAULT)


def card_prefix() -> str:
    return getattr(settings, "OBSERVER_CARD_PREFIX", CARD_PREFIX_DEFAULT)


def min_years() -> int:
    return int(settings.OBSERVER_MIN_PARTY_WORK_YEARS)


def require_committee_write(user: User | None, committee: Organization) -> None:
    """`user` None is the system itself (the demo generator, a command run by an operator)."""
    if user is not None and not covers(user, committee.path, write=True):
        raise PermissionDenied("您对该党(工)委的观察员工作只有查看权限")


def committees_of(org: Organization) -> list[Organization]:
    """The 党(工)委 above (or at) `org`, nearest first."""
    chain = [org, *org.ancestors().order_by("-depth")]
    return [o for o in chain if o.kind in Organization.COMMITTEE_KINDS]


def nearest_committee(org: Organization) -> Organization | None:
    found = committees_of(org)
    return found[0] if found else None


def active_units() -> QuerySet[ReviewUnit]:
    return ReviewUnit.objects.filter(is_active=True)


# ---------------------------------------------------------------- candidates


def check_eligibility(party_work_years: Decimal | float | int | None) -> None:
    """Raise a ValidationError on party_work_years below the setting (三年以上党务工作经验)."""
    need = min_years()
    if party_work_years is None or Decimal(str(party_work_years)) < need:
        raise ValidationError(
            {
                "party_work_years": f"党务工作年限不足{need}年，不符合观察员选聘条件"
                f"（须具有{need}年以上党务工作经验）"
            }
        )


@transaction.atomic
def register_candidate(
    *,
    actor: User | None,
    member: Member,
    committee: Organization,
    source: str,
    party_work_years: Decimal,
    background: str = "",
) -> Candidate:
    require_committee_write(actor, committee)
    errors: dict[str, str] = {}
    if committee.kind not in Organization.COMMITTEE_KINDS:
        errors["committee"] = "请选择党委或党工委"
    elif not member.org.path.startswith(committee.path):
        errors["member"] = "该党员不在所选党(工)委的范围内"
    if source not in Candidate.Source.values:
        errors["source"] = "请选择产生方式"
    if member.status not in Member.ACTIVE_STATUSES:
        errors["member"] = "该党员党籍状态异常，不能作为观察员人选"
    if Observer.objects.filter(member=member).exists():
        errors["member"] = "该党员已是观察员"
    elif Candidate.objects.filter(member=member, status=Candidate.Status.REVIEWING).exists():
        errors["member"] = "该党员已在审查中"
    if errors:
        raise ValidationError(errors)
    check_eligibility(party_work_years)
    candidate = Candidate.objects.create(
        member=member,
        committee=committee,
        source=source,
        party_work_years=party_work_years,
        background=background.strip(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=candidate,
        org=committee,
        summary={"source": source, "party_work_years": str(party_work_years)},
    )
    return candidate


@dataclass
class ReviewState:
    opinions: list[ReviewOpinion]
    pending: list[ReviewUnit]
    objections: list[ReviewOpinion]

    @property
    def all_agreed(self) -> bool:
        return not self.pending and not self.objections


def review_state(candidate: Candidate) -> ReviewState:
    opinions = list(candidate.opinions.select_related("unit"))
    done = {o.unit_id for o in opinions}
    return ReviewState(
        opinions=opinions,
        pending=[u for u in active_units() if u.pk not in done],
        objections=[o for o in opinions if o.opinion == ReviewOpinion.Opinion.OBJECT],
    )


@transaction.atomic
def record_opinion(
    *,
    actor: User | None,
    candidate: Candidate,
    unit: ReviewUnit,
    opinion: str,
    note: str = "",
    reviewer_name: str = "",
) -> ReviewOpinion:
    """One unit's opinion; an objection rejects the candidate at once, with the reason kept."""
    require_committee_write(actor, candidate.committee)
    candidate = lock_rows(Candidate.objects).get(pk=candidate.pk)
    if candidate.status != Candidate.Status.REVIEWING:
        raise ValidationError(f"该人选{candidate.get_status_display()}，不再接受审查意见")
    if not unit.is_active:
        raise ValidationError({"unit": "该单位未参加联合审查"})
    if opinion not in ReviewOpinion.Opinion.values:
        raise ValidationError({"opinion": "请选择审查意见"})
    note = note.strip()
    if opinion == ReviewOpinion.Opinion.OBJECT and not note:
        raise ValidationError({"note": "有异议时须写明理由"})
    if candidate.opinions.filter(unit=unit).exists():
        raise ValidationError({"unit": f"{unit.name}已出具审查意见"})
    row = ReviewOpinion.objects.create(
        candidate=candidate,
        unit=unit,
        opinion=opinion,
        note=note,
        reviewer_name=reviewer_name.strip(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=row,
        target_repr=f"{candidate.member.name}：{unit.name}{row.get_opinion_display()}",
        org=candidate.committee,
        summary={"candidate": candidate.pk, "unit": unit.name, "opinion": opinion, "note": note},
    )
    if opinion == ReviewOpinion.Opinion.OBJECT:
        candidate.status = Candidate.Status.REJECTED
        candidate.rejection_reason = f"{unit.name}有异议：{note}"
        candidate.save(update_fields=["status", "rejection_reason"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=candidate,
            org=candidate.committee,
            summary={
                "status": [Candidate.Status.REVIEWING, Candidate.Status.REJECTED],
                "reason": candidate.rejection_reason,
            },
        )
    return row


# ---------------------------------------------------------------- appointment


def _next_seq(year: int) -> int:
    head = f"{letter_prefix()}〔{year}〕"
    taken = Observer.objects.filter(letter_number__startswith=head).values_list("letter_number", flat=True)
    numbers = [int(m.group(1)) for n in taken if (m := re.match(rf"{re.escape(head)}(\d+)号$", n))]
    return max(numbers, default=0) + 1


def letter_number(year: int, seq: int) -> str:
    return f"{letter_prefix()}〔{year}〕{seq:03d}号"


def card_number(year: int, seq: int) -> str:
    return f"{card_prefix()}{year}{seq:03d}"


def generate_password() -> str:
    """An initial password meeting the policy: 12 characters with all four classes."""
    alphabet = string.ascii_letters + string.digits + "#@%+"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
            and any(c in "#@%+" for c in value)
        ):
            return value


def _check_appointable(candidate: Candidate) -> None:
    """Appointment's rule: still under review, every active unit agreed, no objection, not yet an observer."""
    if candidate.status == Candidate.Status.REJECTED:
        raise ValidationError(f"联合审查有异议，不能聘任（{candidate.rejection_reason}）")
    if candidate.status != Candidate.Status.REVIEWING:
        raise ValidationError("该人选已聘任")
    state = review_state(candidate)
    if state.objections:  # an objection from a unit since made inactive still counts
        raise ValidationError("联合审查有异议，不能聘任")
    if state.pending:
        raise ValidationError(f"尚有审查单位未出具意见：{'、'.join(u.name for u in state.pending)}")
    if Observer.objects.filter(member=candidate.member_id).exists():
        raise ValidationError("该党员已是观察员")


@dataclass
class Appointment:
    observer: Observer
    user: User
    initial_password: str | None  # shown once; None when an existing account was linked


@transaction.atomic
def appoint(
    *, actor: User, candidate: Candidate, appointed_on: dt.date | None = None, username: str = ""
) -> Appointment:
    require_committee_write(actor, candidate.committee)
    candidate = lock_rows(Candidate.objects).select_related("member", "member__org").get(pk=candidate.pk)
    _check_appointable(candidate)
    member = candidate.member
    day = appointed_on or timezone.localdate()
    seq = _next_seq(day.year)

    user = User.objects.filter(member=member).first()
    password: str | None = None
    if user is None:
        username = (username or "").strip() or f"gcy{day.year}{seq:03d}"
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": f"用户名 {username} 已被使用"})
        password = generate_password()
        user = create_user(
            actor=actor,
            username=username,
            password=password,
            display_name=member.name,
            must_change_password=True,
        )
        user.member = member
        user.save(update_fields=["member"])
    elif Observer.objects.filter(user=user).exists():
        raise ValidationError("该党员的账号已关联其他观察员")
    grant_role(actor=actor, user=user, org=member.org, role=Role.OBSERVER)

    observer = Observer.objects.create(
        member=member,
        committee=candidate.committee,
        candidate=candidate,
        user=user,
        letter_number=letter_number(day.year, seq),
        card_number=card_number(day.year, seq),
        appointed_on=day,
        updated_year=day.year,
    )
    candidate.status = Candidate.Status.APPOINTED
    candidate.save(update_fields=["status"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=observer,
        org=candidate.committee,
        summary={
            "letter_number": observer.letter_number,
            "card_number": observer.card_number,
            "user": user.username,
            "new_account": password is not None,
            "candidate": candidate.pk,
        },
    )
    return Appointment(observer=observer, user=user, initial_password=password)


@transaction.atomic
def add_observers(
    *, actor: User | None, candidates: Sequence[Candidate], appointed_on: dt.date
) -> list[Observer]:
    """Appoint many reviewed candidates at once (the demo generator): appoint's rules for each, the next
    聘书编号 and 工作证编号 of the year in order, but no login — an account is linked later (the demo's
    logins, or the roster page). No audit row per observer: the caller records one for the batch."""
    for committee in {c.committee for c in candidates}:
        require_committee_write(actor, committee)
    locked = lock_rows(Candidate.objects).filter(pk__in=[c.pk for c in candidates]).select_related("member")
    by_pk = {c.pk: c for c in locked}
    seq = _next_seq(appointed_on.year)
    observers: list[Observer] = []
    for candidate in candidates:
        candidate = by_pk[candidate.pk]
        _check_appointable(candidate)
        observers.append(
            Observer(
                member=candidate.member,
                committee_id=candidate.committee_id,
                candidate=candidate,
                letter_number=letter_number(appointed_on.year, seq),
                card_number=card_number(appointed_on.year, seq),
                appointed_on=appointed_on,
                updated_year=appointed_on.year,
            )
        )
        candidate.status = Candidate.Status.APPOINTED
        seq += 1
    Observer.objects.bulk_create(observers)
    Candidate.objects.bulk_update(list(by_pk.values()), ["status"])
    return observers
