"""巡查 and 整改: draw a stratified sample of approved records, rate them, order re-holds, track rectifications.

Who may patrol a subtree: a 巡查员 (Role.PATROL), a 党(工)委管理员 or a 组织部管理员 holding the role on
an ancestor (or the node itself). Readers (viewer) see checks and rectifications but change nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event, snapshot
from orglife.models import MeetingRecord, PatrolCheck, RecordEvent, Rectification, RectificationItem
from orglife.periods import first_of_month
from orglife.rules import ruleset_for
from orglife.services.records import add_event, stop_counting
from orgs.access import covers, role_paths
from orgs.models import Organization
from orgs.paths import under_path_q
from orgs.roles import Role

PATROL_ROLES = (Role.PATROL, Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN)
REVIEW_ROLES = (Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN)


def patrol_paths(user: User) -> list[str] | None:
    """Subtrees the user may patrol; None means everything (superuser)."""
    return role_paths(user, PATROL_ROLES)


def can_patrol(user: User, path: str) -> bool:
    paths = patrol_paths(user)
    return paths is None or any(path.startswith(p) for p in paths)


def can_patrol_anywhere(user: User) -> bool:
    return patrol_paths(user) != []


def can_review(user: User, rectification: Rectification) -> bool:
    """The opener, or a 党(工)委 / 组织部 admin over the branch, closes or sends back a rectification."""
    if rectification.opened_by_id is not None and rectification.opened_by_id == getattr(user, "pk", None):
        return True
    paths = role_paths(user, REVIEW_ROLES)
    return paths is None or any(rectification.org.path.startswith(p) for p in paths)


def require_patrol(user: User, path: str) -> None:
    if not can_patrol(user, path):
        raise PermissionDenied("您没有该范围的巡查权限")


def strata_roots(root: Organization) -> list[Organization]:
    """The 党(工)委 a sample must cover: the root itself if it is one, else its committee children."""
    if (
        root.kind in Organization.COMMITTEE_KINDS
        and not root.children.filter(kind__in=Organization.COMMITTEE_KINDS).exists()
    ):
        return [root]
    return list(root.children.filter(kind__in=Organization.COMMITTEE_KINDS, is_active=True).order_by("path"))


def default_seed(root: Organization, month: dt.date) -> int:
    return zlib.crc32(f"{root.path}:{month:%Y-%m}".encode())


@transaction.atomic
def draw_sample(
    *, actor: User, root: Organization, month: dt.date, seed: int | None = None
) -> list[PatrolCheck]:
    """Sample the month's approved records under `root` into PatrolCheck rows; returns the new checks.

    Records flagged photo_reused always come first (and are always taken). Then one record from each
    committee not yet covered, so every 党(工)委 is covered even when the sample size is smaller than
    their number, then random records up to RuleSet.patrol_sample_size. Records already sampled for the
    month count towards the size and are never added twice. The same seed gives the same sample.
    """
    require_patrol(actor, root.path)
    month = first_of_month(month)
    size = ruleset_for(month).patrol_sample_size
    seed = default_seed(root, month) if seed is None else seed
    rng = random.Random(seed)
    in_scope = under_path_q(root.path, "org__path")
    taken_ids = set(PatrolCheck.objects.filter(in_scope, month=month).values_list("record_id", flat=True))
    taken_paths = set(PatrolCheck.objects.filter(in_scope, month=month).values_list("org__path", flat=True))
    candidates = [
        (pk, path, reused)
        for pk, path, reused in MeetingRecord.objects.filter(
            in_scope, month=month, status=MeetingRecord.Status.APPROVED
        )
        .order_by("pk")
        .values_list("pk", "org__path", "photo_reused")
        if pk not in taken_ids
    ]
    chosen: list[tuple[int, str]] = [(pk, path) for pk, path, reused in candidates if reused]
    chosen_ids = {pk for pk, _ in chosen}
    covered = taken_paths | {path for _, path in chosen}

    by_stratum: dict[str, list[int]] = defaultdict(list)
    strata = [s.path for s in strata_roots(root)]
    for pk, path, _ in candidates:
        if pk not in chosen_ids:
            by_stratum[next((s for s in strata if path.startswith(s)), "")].append(pk)
    for stratum in strata:
        pool = by_stratum.get(stratum, [])
        if pool and not any(p.startswith(stratum) for p in covered):
            pk = rng.choice(pool)
            pool.remove(pk)
            chosen.append((pk, stratum))
            chosen_ids.add(pk)
    rest = sorted(pk for pool in by_stratum.values() for pk in pool)
    rng.shuffle(rest)
    room = max(0, size - len(taken_ids) - len(chosen))
    chosen_ids.update(rest[:room])

    now = timezone.now()
    records = MeetingRecord.objects.filter(pk__in=chosen_ids).order_by("pk")
    PatrolCheck.objects.bulk_create(
        [
            PatrolCheck(month=month, record=r, org_id=r.org_id, sampled_by=actor, sampled_at=now)
            for r in records
        ],
        ignore_conflicts=True,  # a concurrent draw of the same month never duplicates a record
    )
    created = list(
        PatrolCheck.objects.filter(month=month, record_id__in=chosen_ids, sampled_at=now).select_related(
            "record", "org"
        )
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=root,
        org=root,
        target_repr=f"{root.display_name} {month:%Y-%m} 巡查抽样",
        summary={
            "what": "patrol_sample",
            "month": f"{month:%Y-%m}",
            "seed": seed,
            "added": len(created),
            "already": len(taken_ids),
            "size": size,
        },
    )
    return created


def rating_errors(rating: str, reasons: list[str], comment: str) -> dict[str, str]:
    """What makes a rating invalid (rate_check and the bulk path add_patrol_checks)."""
    errors: dict[str, str] = {}
    if rating not in PatrolCheck.Rating.values:
        errors["rating"] = "请选择评价等级"
    unknown = [r for r in reasons if r not in PatrolCheck.REASONS]
    if unknown:
        errors["reasons"] = f"未知的问题类型：{'、'.join(unknown)}"
    if rating == PatrolCheck.Rating.POOR and not reasons and not comment.strip():
        errors["comment"] = "评为“差”时请勾选问题或填写意见"
    return errors


@transaction.atomic
def rate_check(
    *, actor: User, check: PatrolCheck, rating: str, reasons: list[str], comment: str = ""
) -> None:
    require_patrol(actor, check.org.path)
    if errors := rating_errors(rating, reasons, comment):
        raise ValidationError(errors)
    before = snapshot(check, ["rating", "reasons", "comment"])
    check.rating = rating
    check.reasons = [r for r in PatrolCheck.REASONS if r in reasons]
    check.comment = comment.strip()
    check.rated_by = actor
    check.rated_at = timezone.now()
    check.save(update_fields=["rating", "reasons", "comment", "rated_by", "rated_at"])
    add_event(check.record, "patrol_rated", actor, rating=rating, reasons=check.reasons)
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=check,
        org=check.org,
        summary={"what": "patrol_rating", "before": before, "after": snapshot(check, ["rating", "reasons"])},
    )


@transaction.atomic
def add_patrol_checks(*, checks: list[PatrolCheck]) -> list[PatrolCheck]:
    """Bulk path of the sample and `rate_check` (history imports, the demo): unsaved checks, rated or not.

    For the whole batch in a bounded number of queries: each check is of an approved record of its branch
    and month, once per month; a rating obeys `rating_errors` and comes after the sampling; the reasons
    are kept in the catalogue's order; each rating gets its `patrol_rated` record event, as rate_check
    writes it. No audit row: the caller records one event for the batch.
    """
    records = {
        pk: (org_id, month, status)
        for pk, org_id, month, status in MeetingRecord.objects.filter(
            pk__in={c.record_id for c in checks}
        ).values_list("pk", "org_id", "month", "status")
    }
    taken = set(PatrolCheck.objects.filter(record_id__in=list(records)).values_list("month", "record_id"))
    errors: list[str] = []
    for c in checks:
        where = f"纪实{c.record_id} {c.month:%Y-%m}"
        found = records.get(c.record_id)
        if found is None or found[2] != MeetingRecord.Status.APPROVED:
            errors.append(f"{where}：只能抽查已审核的纪实")
        elif (found[0], found[1]) != (c.org_id, c.month):
            errors.append(f"{where}：抽查的支部或月份与纪实不符")
        if (c.month, c.record_id) in taken:
            errors.append(f"{where}：该纪实本月已被抽查")
        taken.add((c.month, c.record_id))
        if c.rating or c.rated_at is not None:
            bad = rating_errors(c.rating, c.reasons, c.comment)
            if c.rated_at is None or c.rated_at < c.sampled_at:
                bad["rated_at"] = "评价时间须晚于抽查时间"
            errors += [f"{where}：{m}" for m in bad.values()]
            c.reasons = [r for r in PatrolCheck.REASONS if r in c.reasons]
            c.comment = c.comment.strip()
    if errors:
        raise ValidationError(errors)
    PatrolCheck.objects.bulk_create(checks, batch_size=2000)
    RecordEvent.objects.bulk_create(
        [
            RecordEvent(
                record_id=c.record_id,
                action="patrol_rated",
                actor=c.rated_by,
                created_at=c.rated_at or c.sampled_at,  # always rated_at: checked above
                payload={"rating": c.rating, "reasons": c.reasons},
            )
            for c in checks
            if c.rating
        ],
        batch_size=2000,
    )
    return checks


def rehold_errors(check: PatrolCheck, record_counts: bool, reason: str) -> list[str]:
    """What makes a re-hold order invalid (order_rehold and the bulk path add_rehold_orders)."""
    errors = []
    if not reason.strip():
        errors.append("请说明要求重新召开的原因")
    if check.rehold_ordered and not record_counts:
        errors.append("已要求重新召开")
    return errors


@transaction.atomic
def order_rehold(*, actor: User, check: PatrolCheck, reason: str) -> None:
    """The meeting must be held again: the record stops counting towards completion."""
    require_patrol(actor, check.org.path)
    if not reason.strip():
        raise ValidationError({"reason": "请说明要求重新召开的原因"})
    record = lock_rows(MeetingRecord.objects).get(pk=check.record_id)
    errors = rehold_errors(check, record.counts, reason)
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    check.rehold_ordered = True
    check.save(update_fields=["rehold_ordered"])
    # Reverses the attendees' automatic learning points and refreshes the completion stats.
    stop_counting(
        actor=actor,
        record=record,
        action="rehold_ordered",
        reason=reason,
        points_reason=f"要求重新召开：{reason}",
        patrol_check=check.pk,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=record,
        org=check.org,
        summary={"what": "rehold_ordered", "reason": reason, "patrol_check": check.pk},
    )


@dataclass
class ReholdOrder:
    """For `add_rehold_orders`: a rated patrol check, why the meeting must be held again, and when."""

    check: PatrolCheck
    reason: str
    at: dt.datetime


@transaction.atomic
def add_rehold_orders(*, orders: list[ReholdOrder]) -> None:
    """Bulk path of `order_rehold` (history imports, the demo): the same rule (`rehold_errors`), checked
    for the whole batch before anything is written, and the same effect on each record (`stop_counting`:
    the record stops counting, its history line dated `at`, points reversed, stats refreshed). Each order
    comes after its check was rated. No audit row per order: the caller records one event for the batch."""
    counts = dict(
        MeetingRecord.objects.filter(pk__in=[o.check.record_id for o in orders]).values_list("pk", "counts")
    )
    errors: list[str] = []
    for o in orders:
        where = f"纪实{o.check.record_id}"
        bad = rehold_errors(o.check, counts.get(o.check.record_id, False), o.reason)
        if o.check.pk is None or not o.check.rating:
            bad.append("只能对已评价的抽查要求重新召开")
        elif o.check.rated_at is not None and o.at < o.check.rated_at:
            bad.append("要求重新召开的时间早于评价时间")
        errors += [f"{where}：{m}" for m in bad]
    if errors:
        raise ValidationError(errors)
    checks = [o.check for o in orders]
    for c in checks:
        c.rehold_ordered = True
    PatrolCheck.objects.bulk_update(checks, ["rehold_ordered"], batch_size=1000)
    for o in orders:
        reason = o.reason.strip()
        stop_counting(
            actor=o.check.rated_by,
            record=o.check.record,
            action="rehold_ordered",
            reason=reason,
            points_reason=f"要求重新召开：{reason}",
            at=o.at,
            patrol_check=o.check.pk,
        )


def opening_errors(title: str, texts: list[str], deadline: dt.date, today: dt.date) -> dict[str, str]:
    """What makes a rectification invalid when opened on `today` (open_rectification, add_rectifications)."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写整改事项"
    if not texts:
        errors["items"] = "请至少列出一条问题及整改要求"
    if deadline < today:
        errors["deadline"] = "整改期限不能早于今天"
    return errors


@dataclass
class NewRectification:
    """For `add_rectifications`: an unsaved rectification as it stands, its items, and what the branch
    reported for each item once it submitted (submitted or closed ones)."""

    rect: Rectification
    items: list[str]
    item_evidence: str = ""


@transaction.atomic
def add_rectifications(*, rectifications: list[NewRectification]) -> None:
    """Bulk path of open/submit/close (history imports, the demo), in a bounded number of queries.

    Each is checked by `opening_errors` as of its opening day, against its patrol check's branch, and for
    the facts of its status (submitted and closed ones report evidence for every item, as
    submit_rectification demands; closed ones are closed after they opened). Writes the items and the
    `rectification_opened` record events. No audit row: the caller records one event for the batch.
    """
    errors: list[str] = []
    for n in rectifications:
        r = n.rect
        where = f"{r.title or '整改'}（纪实{r.record_id}）"
        texts = [t.strip() for t in n.items if t.strip()]
        bad = list(opening_errors(r.title, texts, r.deadline, timezone.localdate(r.opened_at)).values())
        if r.patrol_check is not None and r.patrol_check.org_id != r.org_id:
            bad.append("巡查记录与整改支部不符")
        if r.status not in Rectification.Status.values:
            bad.append("状态无效")
        if r.status != Rectification.Status.OPEN and not n.item_evidence.strip():
            bad.append("请填写每一项的整改佐证")
        if (r.status == Rectification.Status.CLOSED) != (r.closed_at is not None):
            bad.append("销号时间与状态不符")
        elif r.closed_at is not None and r.closed_at < r.opened_at:
            bad.append("销号时间早于整改开始")
        errors += [f"{where}：{m}" for m in bad]
        n.items = texts
    if errors:
        raise ValidationError(errors)
    rects = [n.rect for n in rectifications]
    Rectification.objects.bulk_create(rects, batch_size=2000)
    RectificationItem.objects.bulk_create(
        [
            RectificationItem(
                rectification=n.rect,
                text=t,
                done=n.rect.status != Rectification.Status.OPEN,
                evidence=n.item_evidence.strip() if n.rect.status != Rectification.Status.OPEN else "",
            )
            for n in rectifications
            for t in n.items
        ],
        batch_size=2000,
    )
    RecordEvent.objects.bulk_create(
        [
            RecordEvent(
                record_id=r.record_id,
                action="rectification_opened",
                actor=r.opened_by,
                created_at=r.opened_at,
                payload={"rectification": r.pk},
            )
            for r in rects
            if r.record_id is not None
        ],
        batch_size=2000,
    )


@transaction.atomic
def open_rectification(
    *,
    actor: User,
    org: Organization,
    title: str,
    items: list[str],
    deadline: dt.date,
    check: PatrolCheck | None = None,
    source: str = Rectification.Source.PATROL,
) -> Rectification:
    require_patrol(actor, org.path)
    texts = [t.strip() for t in items if t.strip()]
    if errors := opening_errors(title, texts, deadline, timezone.localdate()):
        raise ValidationError(errors)
    rect = Rectification.objects.create(
        org=org,
        record=check.record if check else None,
        patrol_check=check,
        source=source,
        title=title.strip(),
        deadline=deadline,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    RectificationItem.objects.bulk_create([RectificationItem(rectification=rect, text=t) for t in texts])
    if check is not None:
        add_event(check.record, "rectification_opened", actor, rectification=rect.pk)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=rect,
        org=org,
        summary={"what": "rectification_opened", "deadline": deadline.isoformat(), "items": texts},
    )
    return rect


def _require_branch_writer(actor: User, rect: Rectification) -> None:
    if not covers(actor, rect.org.path, write=True):
        raise PermissionDenied("只有该支部可以提交整改情况")


@transaction.atomic
def submit_rectification(
    *, actor: User, rectification: Rectification, evidence: dict[int, str], note: str = ""
) -> None:
    """The branch reports what it did, item by item; every item needs its evidence."""
    _require_branch_writer(actor, rectification)
    rect = lock_rows(Rectification.objects).get(pk=rectification.pk)
    if rect.status != Rectification.Status.OPEN:
        raise ValidationError("该整改不在整改中，不能提交")
    items = list(rect.items.order_by("pk"))
    missing = [i.text for i in items if not (evidence.get(i.pk) or "").strip()]
    if missing:
        raise ValidationError({"evidence": f"请填写每一项的整改佐证（缺：{'；'.join(missing)}）"})
    for item in items:
        item.evidence = evidence[item.pk].strip()
        item.done = True
    RectificationItem.objects.bulk_update(items, ["evidence", "done"])
    rect.status = Rectification.Status.SUBMITTED
    rect.evidence = note.strip()
    rect.save(update_fields=["status", "evidence"])
    rectification.status, rectification.evidence = rect.status, rect.evidence
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=rect,
        org=rect.org,
        summary={
            "what": "rectification_submitted",
            "note": rect.evidence,
            "evidence": {i.text: i.evidence for i in items},
        },
    )


@transaction.atomic
def close_rectification(*, actor: User, rectification: Rectification) -> None:
    """销号: the opener or a committee admin accepts the evidence."""
    if not can_review(actor, rectification):
        raise PermissionDenied("只有整改发起人或上级党(工)委可以销号")
    rect = lock_rows(Rectification.objects).get(pk=rectification.pk)
    if rect.status != Rectification.Status.SUBMITTED:
        raise ValidationError("支部提交整改情况后才能销号")
    rect.status = Rectification.Status.CLOSED
    rect.closed_by = actor
    rect.closed_at = timezone.now()
    rect.save(update_fields=["status", "closed_by", "closed_at"])
    rectification.status, rectification.closed_at = rect.status, rect.closed_at
    overdue = rect.closed_at.date() > rect.deadline if rect.closed_at else False
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=rect,
        org=rect.org,
        summary={"what": "rectification_closed", "after_deadline": overdue},
    )


@transaction.atomic
def return_rectification(*, actor: User, rectification: Rectification, reason: str) -> None:
    """Send the submitted evidence back: the branch works on and submits again."""
    if not can_review(actor, rectification):
        raise PermissionDenied("只有整改发起人或上级党(工)委可以退回")
    if not reason.strip():
        raise ValidationError({"reason": "请说明退回原因"})
    rect = lock_rows(Rectification.objects).get(pk=rectification.pk)
    if rect.status != Rectification.Status.SUBMITTED:
        raise ValidationError("只有待验收的整改可以退回")
    rect.status = Rectification.Status.OPEN
    rect.save(update_fields=["status"])
    rect.items.update(done=False)
    rectification.status = rect.status
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=rect,
        org=rect.org,
        summary={"what": "rectification_returned", "reason": reason.strip()},
    )


def overdue_q(today: dt.date) -> Q:
    return ~Q(status=Rectification.Status.CLOSED) & Q(deadline__lt=today)
