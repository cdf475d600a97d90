"""The cycles around the ledger: monthly notices with objections, and interviews below the pass mark."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import holds, own_member_id
from orgs.models import Member, Organization
from orgs.paths import subtree_q
from points import selectors
from points.models import Interview, MonthlyNotice, NoticeLine, Objection
from points.periods import month_bounds
from points.roles import PUBLISH_ROLES


def _freeze_lines(notice: MonthlyNotice) -> None:
    notice.lines.all().delete()
    NoticeLine.objects.bulk_create(
        [
            NoticeLine(notice=notice, **row)
            for row in selectors.month_lines(notice.org, notice.year, notice.month)
        ],
        batch_size=2000,
    )


def _open_window(notice: MonthlyNotice, *, actor: User | None, today: dt.date) -> None:
    _, end = month_bounds(notice.year, notice.month)
    days = selectors.thresholds(notice.org, end).objection_days
    notice.status = MonthlyNotice.Status.PUBLISHED
    notice.published_by = actor if getattr(actor, "is_authenticated", False) else None
    notice.published_at = timezone.now()
    notice.objection_until = today + dt.timedelta(days=days)


@transaction.atomic
def publish_notice(
    *, actor: User, org: Organization, year: int, month: int, note: str = "", today: dt.date | None = None
) -> MonthlyNotice:
    """每月通报公示: freeze the month's points of the organization's members and open the objection window.

    A draft made by the monthly job is published in place (its lines refreshed); a published month is final.
    """
    if not holds(actor, PUBLISH_ROLES, org.path):
        raise PermissionDenied("您无权发布该组织的积分公示")
    today = today or timezone.localdate()
    start, end = month_bounds(year, month)
    if today < start:
        raise ValidationError({"month": ["该月尚未开始"]})
    draft = (
        lock_rows(MonthlyNotice.objects)
        .filter(org=org, year=year, month=month, status=MonthlyNotice.Status.DRAFT)
        .first()
    )
    if draft is None and MonthlyNotice.objects.filter(org=org, year=year, month=month).exists():
        raise ValidationError({"month": [f"{year}年{month}月的积分公示已发布"]})
    if draft is not None:
        notice = draft
        _open_window(notice, actor=actor, today=today)
        notice.note = note.strip()[:200] or notice.note
        notice.save()
    else:
        notice = MonthlyNotice(org=org, year=year, month=month, note=note.strip()[:200])
        _open_window(notice, actor=actor, today=today)
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            raise ValidationError({"month": [f"{year}年{month}月的积分公示已发布"]}) from None
    _freeze_lines(notice)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE if draft is None else AuditEvent.Action.UPDATE,
        target=notice,
        org=org,
        summary={"objection_until": str(notice.objection_until)},
    )
    return notice


def notice_orgs() -> list[Organization]:
    """Who gets a monthly notice: every organization a catalogue is set on (the department's notice) and
    every branch with active members under one."""
    catalogue_orgs = list(
        Organization.objects.filter(point_catalogues__isnull=False).distinct().order_by("path")
    )
    if not catalogue_orgs:
        return []
    branches = (
        Organization.objects.branches()
        .filter(subtree_q([o.path for o in catalogue_orgs]))
        .filter(pk__in=Member.objects.active().values("org_id"))
        .exclude(pk__in=[o.pk for o in catalogue_orgs])
        .order_by("path")
    )
    return catalogue_orgs + list(branches)


def draft_monthly_notices(*, year: int, month: int, today: dt.date | None = None) -> dict[str, int]:
    """The monthly job (1st of the month, for the previous month): a notice for each branch and department.

    Idempotent: an organization that already has the month's notice (draft or published) is skipped. Each
    is a draft for a publisher to check and publish, unless the catalogue version in force at the month's
    end has `notice_auto_publish`, in which case it is published at once and its window opens today.
    """
    today = today or timezone.localdate()
    _, end = month_bounds(year, month)
    if today <= end:
        raise ValidationError({"month": [f"{year}年{month}月尚未结束"]})
    done = set(MonthlyNotice.objects.filter(year=year, month=month).values_list("org_id", flat=True))
    counts = {"drafted": 0, "published": 0, "skipped": 0}
    for org in notice_orgs():
        if org.pk in done:
            counts["skipped"] += 1
            continue
        auto = bool((v := selectors.thresholds(org, end).version) and v.notice_auto_publish)
        with transaction.atomic():
            notice = MonthlyNotice(
                org=org,
                year=year,
                month=month,
                drafted_at=timezone.now(),
                status=MonthlyNotice.Status.DRAFT,
                note="系统自动生成",
            )
            if auto:
                _open_window(notice, actor=None, today=today)
            try:
                with transaction.atomic():
                    notice.save()
            except IntegrityError:  # another run got there first
                counts["skipped"] += 1
                continue
            _freeze_lines(notice)
            record_event(
                actor=None,
                action=AuditEvent.Action.CREATE,
                target=notice,
                org=org,
                summary={"points_notice": "published" if auto else "drafted"},
            )
        counts["published" if auto else "drafted"] += 1
    return counts


@transaction.atomic
def raise_objection(
    *,
    actor: User,
    notice: MonthlyNotice,
    text: str,
    about: Member | None = None,
    today: dt.date | None = None,
) -> Objection:
    """A member shown the notice objects within the window; the organization must answer."""
    member_id = own_member_id(actor)
    member = Member.objects.select_related("org").filter(pk=member_id).first() if member_id else None
    if member is None or not member.org.path.startswith(notice.org.path):
        raise PermissionDenied("只有公示范围内的党员可以提出异议")
    if notice.is_draft:
        raise ValidationError("该公示尚未发布，不能提出异议")
    if not notice.is_open_on(today or timezone.localdate()):
        raise ValidationError(f"公示期已于 {notice.objection_until:%Y-%m-%d} 结束，不能再提出异议")
    if not text.strip():
        raise ValidationError({"text": ["请填写异议内容"]})
    if about is not None and not notice.lines.filter(member=about).exists():
        raise ValidationError({"about": ["该党员不在本次公示中"]})
    objection = Objection.objects.create(
        notice=notice, raised_by=actor, about=about, text=text.strip(), raised_at=timezone.now()
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=objection,
        org=notice.org,
        summary={"about": about.name if about else ""},
    )
    return objection


@transaction.atomic
def answer_objection(*, actor: User, objection: Objection, answer: str) -> Objection:
    if not holds(actor, PUBLISH_ROLES, objection.notice.org.path):
        raise PermissionDenied("您无权答复该异议")
    if objection.is_answered:
        raise ValidationError("该异议已答复")
    if not answer.strip():
        raise ValidationError({"answer": ["请填写答复"]})
    objection.answer = answer.strip()
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=objection,
        org=objection.notice.org,
        summary={"answered": True},
    )
    return objection


@transaction.atomic
def record_interview(
    *, actor: User, member: Member, year: int, held_on: dt.date, interviewer: str, notes: str
) -> Interview:
    """约谈: only for a member whose annual total is below the pass mark; one per member and year."""
    if not holds(actor, PUBLISH_ROLES, member.org.path):
        raise PermissionDenied("您无权记录该党员的约谈")
    t = selectors.thresholds(member.org, dt.date(year, 12, 31))
    total = selectors.annual_totals(Member.objects.filter(pk=member.pk), year).get().total  # type: ignore[attr-defined]
    if not selectors.is_below_pass(total, t.pass_mark):
        raise ValidationError(f"{member.name} {year}年积分 {total} 分，未低于 {t.pass_mark} 分，无需约谈")
    if Interview.objects.filter(member=member, year=year).exists():
        raise ValidationError("该党员本年度的约谈已记录")
    if not interviewer.strip() or not notes.strip():
        raise ValidationError("请填写约谈人和约谈情况")
    interview = Interview.objects.create(
        member=member,
        year=year,
        total=total,
        held_on=held_on,
        interviewer=interviewer.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=interview,
        org=member.org,
        summary={"year": year, "total": str(total)},
    )
    return interview
