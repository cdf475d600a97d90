"""Observation (列席观察): an observer's branches and upcoming meetings, sign-up, the quality evaluation form,
its findings (现场提醒 / 责令纠正 / 要求重新召开), the branch's rating of the observer, and half-year coverage.

An observer's reach comes from their confirmed assignments (AssignmentPlan.status confirmed) for the
half-year, not from role grants: they act only on assigned branches. A finding of 要求重新召开 stops the
linked meeting record counting (orglife.services.records.stop_counting), exactly as
a patrol's re-hold order does; 责令纠正 opens an orglife Rectification with source 观察员.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import (
    Assignment,
    AssignmentPlan,
    EvaluationItem,
    Observation,
    Observer,
)
from orglife.models import MeetingRecord, MonthlyPlan, PlanItem, Rectification, RectificationItem
from orglife.periods import HALF, Period, first_of_month, local_day_bounds, local_today
from orglife.rules import LIFE_KINDS
from orglife.services.patrol import NewRectification, add_rectifications
from orglife.services.records import add_event, stop_counting
from orgs.models import Organization

OBSERVED_KINDS = LIFE_KINDS  # the branches the planner assigns (支部, 联合支部, 临时支部, 总支)
CORRECTION_DAYS = 30  # default deadline of a 责令纠正 rectification


# ---------------------------------------------------------------- half-years and the observer


def half_start(day: dt.date | None = None) -> dt.date:
    """The first day of the half-year containing `day` (today by default)."""
    return Period.containing(HALF, day or local_today()).start


def half_period(start: dt.date) -> Period:
    return Period(start, HALF)


def require_acting_observer(actor: User, observer: Observer) -> None:
    """Only the observer themself, while active (在岗), signs up and fills forms."""
    if observer.user_id is None or observer.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有观察员本人可以操作")
    _require_active(observer)


def _require_active(observer: Observer) -> None:
    if observer.status != Observer.Status.ACTIVE:
        raise PermissionDenied("观察员不在岗，不能报名或填写评价")


def confirmed_assignments() -> QuerySet[Assignment]:
    """Assignments of confirmed plans: the only ones an observer acts on."""
    return Assignment.objects.filter(plan__status=AssignmentPlan.Status.CONFIRMED)


def assignments(observer: Observer, start: dt.date) -> QuerySet[Assignment]:
    return confirmed_assignments().filter(observer=observer, plan__half_start=start)


def assigned_branch_ids(observer: Observer, start: dt.date) -> set[int]:
    return set(assignments(observer, start).values_list("branch_id", flat=True))


def is_assigned(observer: Observer, branch_id: int, day: dt.date) -> bool:
    return assignments(observer, half_start(day)).filter(branch_id=branch_id).exists()


def in_half(start: dt.date, prefix: str = "observed_on") -> Q:
    return Q(**{f"{prefix}__gte": start, f"{prefix}__lte": half_period(start).end})


# ---------------------------------------------------------------- what the observer sees


@dataclass
class MyBranch:
    branch: Organization
    is_cross: bool
    observed_on: dt.date | None  # the latest submitted observation by this observer in the half-year
    signed_up: int  # sign-ups not yet evaluated
    upcoming: int  # approved planned meetings from today on
    observed_by_others: bool = False

    @property
    def observed(self) -> bool:
        return self.observed_on is not None


def my_branches(
    observer: Observer, start: dt.date | None = None, today: dt.date | None = None
) -> list[MyBranch]:
    today = today or local_today()
    start = start or half_start(today)
    rows = list(assignments(observer, start).select_related("branch").order_by("branch__path"))
    ids = [a.branch_id for a in rows]
    mine: dict[int, dt.date] = {}
    pending: dict[int, int] = {}
    for branch_id, status, day in Observation.objects.filter(
        in_half(start), observer=observer, branch_id__in=ids
    ).values_list("branch_id", "status", "observed_on"):
        if status == Observation.Status.SUBMITTED:
            mine[branch_id] = max(day, mine.get(branch_id, day))
        elif status == Observation.Status.SIGNED_UP:
            pending[branch_id] = pending.get(branch_id, 0) + 1
    others = set(
        Observation.objects.filter(in_half(start), branch_id__in=ids, status=Observation.Status.SUBMITTED)
        .exclude(observer=observer)
        .values_list("branch_id", flat=True)
    )
    upcoming: dict[int, int] = {}
    for org_id in upcoming_items_qs(ids, today).values_list("plan__org_id", flat=True):
        upcoming[org_id] = upcoming.get(org_id, 0) + 1
    out = [
        MyBranch(
            a.branch,
            a.is_cross,
            mine.get(a.branch_id),
            pending.get(a.branch_id, 0),
            upcoming.get(a.branch_id, 0),
            a.branch_id in others,
        )
        for a in rows
    ]
    out.sort(key=lambda b: (b.observed, b.branch.path))  # the ones still to observe first
    return out


def upcoming_items_qs(branch_ids: Any, today: dt.date) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(
        plan__org_id__in=branch_ids, plan__status=MonthlyPlan.Status.APPROVED, planned_on__gte=today
    )


def upcoming_meetings(observer: Observer, today: dt.date | None = None) -> QuerySet[PlanItem]:
    """Approved planned meetings of the observer's assigned branches from today on, soonest first.

    Each item carries `signed_up` (this observer has an active sign-up for it)."""
    today = today or local_today()
    ids = assigned_branch_ids(observer, half_start(today))
    mine = Observation.objects.filter(observer=observer, plan_item=OuterRef("pk")).exclude(
        status=Observation.Status.CANCELLED
    )
    return (
        upcoming_items_qs(ids, today)
        .select_related("plan__org", "group")
        .annotate(signed_up=Exists(mine))
        .order_by("planned_on", "plan__org__path", "id")
    )


def observer_records(observer: Observer) -> QuerySet[MeetingRecord]:
    """Records the observer may read: of a branch assigned to them in the half-year of the record's month,
    or linked to one of their own observations."""
    halves = list(
        Assignment.objects.filter(
            observer=observer, plan__status=AssignmentPlan.Status.CONFIRMED
        ).values_list("branch_id", "plan__half_start")
    )
    q = Q(pk__in=Observation.objects.filter(observer=observer, record__isnull=False).values("record_id"))
    for branch_id, start in halves:
        q |= Q(org_id=branch_id, month__gte=start, month__lte=half_period(start).months[-1])
    return MeetingRecord.objects.filter(q)


def _record_slot(branch_id: int, day: dt.date) -> dict[str, Any]:
    """The records an observation may be linked to: the branch's (not drafts) of the meeting's month."""
    return {"org_id": branch_id, "month": first_of_month(day)}


def candidate_records(observation: Observation) -> QuerySet[MeetingRecord]:
    """The branch's records of the meeting's month, the planned one and those of the same day first."""
    lo, hi = local_day_bounds(observation.observed_on, observation.observed_on)
    rank = Case(
        When(Q(plan_item_id=observation.plan_item_id) & Q(plan_item__isnull=False), then=Value(0)),
        When(started_at__gte=lo, started_at__lt=hi, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        MeetingRecord.objects.filter(**_record_slot(observation.branch_id, observation.observed_on))
        .exclude(status=MeetingRecord.Status.DRAFT)
        .annotate(rank=rank)
        .order_by("rank", "started_at", "id")
    )


def default_record(observation: Observation) -> MeetingRecord | None:
    first = candidate_records(observation).first()
    return first if first is not None and getattr(first, "rank", 2) < 2 else None


# ---------------------------------------------------------------- sign-up


def _plan_item_errors(item: PlanItem, today: dt.date, *, taken: bool) -> dict[str, str]:
    """报名列席 a planned meeting: approved, dated, not past, not already signed up for (`taken`)."""
    if item.plan.status != MonthlyPlan.Status.APPROVED or item.planned_on is None:
        return {"plan_item": "只能报名已审核通过的计划会议"}
    if item.planned_on < today:
        return {"plan_item": "该会议的计划日期已过，不能报名"}
    if taken:
        return {"plan_item": "您已报名该会议"}
    return {}


@transaction.atomic
def sign_up(
    *,
    actor: User,
    observer: Observer,
    kind: str,
    plan_item: PlanItem | None = None,
    branch: Organization | None = None,
    observed_on: dt.date | None = None,
    meeting_type: str = "",
) -> Observation:
    """报名列席 a planned meeting (or, without a plan item, record an unannounced 随机观察 of a branch)."""
    require_acting_observer(actor, observer)
    today = local_today()
    errors: dict[str, str] = {}
    if kind not in Observation.Kind.values:
        errors["kind"] = "请选择观察方式"
    if plan_item is not None:
        plan = plan_item.plan
        branch, observed_on, meeting_type = plan.org, plan_item.planned_on, plan_item.meeting_type
        taken = (
            Observation.objects.filter(observer=observer, plan_item=plan_item)
            .exclude(status=Observation.Status.CANCELLED)
            .exists()
        )
        errors.update(_plan_item_errors(plan_item, today, taken=taken))
    else:
        if branch is None:
            errors["branch"] = "请选择党支部"
        if observed_on is None:
            errors["observed_on"] = "请填写列席日期"
        elif observed_on > today + dt.timedelta(days=92) or observed_on < half_start(today):
            errors["observed_on"] = "列席日期应在本半年内"
    if errors:
        raise ValidationError(errors)
    assert branch is not None and observed_on is not None
    assignment = assignments(observer, half_start(observed_on)).filter(branch=branch).first()
    if assignment is None:
        raise PermissionDenied("该支部不在您本半年的观察范围内")
    if assignment.is_cross and kind == Observation.Kind.RANDOM:
        kind = Observation.Kind.CROSS
    observation = Observation.objects.create(
        observer=observer,
        branch=branch,
        plan_item=plan_item,
        kind=kind,
        meeting_type=meeting_type,
        observed_on=observed_on,
        status=Observation.Status.SIGNED_UP,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=observation,
        org=branch,
        summary={
            "what": "observation_signed_up",
            "kind": kind,
            "observed_on": observed_on.isoformat(),
            "plan_item": plan_item.pk if plan_item else None,
        },
    )
    return observation


@transaction.atomic
def add_sign_ups(*, actor: User | None, rows: Sequence[Observation], today: dt.date) -> list[Observation]:
    """Many sign-ups for planned meetings at once (the demo generator), as of `today` (the day they were
    made): sign_up's rules for each — an active observer (the actor, unless the system), an approved
    meeting not yet past, not signed up twice, the branch theirs in a confirmed plan of that half-year.
    Each row names `observer`, `plan_item` and `kind`. No audit row per sign-up: the caller records one."""
    if not rows:
        return []
    observers = Observer.objects.in_bulk({row.observer_id for row in rows})
    for observer in observers.values():
        if actor is not None:
            require_acting_observer(actor, observer)
        _require_active(observer)
    items = PlanItem.objects.select_related("plan__org").in_bulk({row.plan_item_id for row in rows})
    assigned = {
        (o, b, h): cross
        for o, b, h, cross in confirmed_assignments()
        .filter(observer_id__in=list(observers))
        .values_list("observer_id", "branch_id", "plan__half_start", "is_cross")
    }
    taken = set(
        Observation.objects.filter(plan_item_id__in=list(items), observer_id__in=list(observers))
        .exclude(status=Observation.Status.CANCELLED)
        .values_list("observer_id", "plan_item_id")
    )
    for row in rows:
        item = items[row.plan_item_id]  # type: ignore[index]
        errors = _plan_item_errors(item, today, taken=(row.observer_id, item.pk) in taken)
        if row.kind not in Observation.Kind.values:
            errors["kind"] = "请选择观察方式"
        if errors:
            raise ValidationError(errors)
        assert item.planned_on is not None
        key = (row.observer_id, item.plan.org_id, half_start(item.planned_on))
        if key not in assigned:
            raise PermissionDenied("该支部不在您本半年的观察范围内")
        if assigned[key] and row.kind == Observation.Kind.RANDOM:
            row.kind = Observation.Kind.CROSS
        taken.add((row.observer_id, item.pk))
        row.plan_item, row.branch = item, item.plan.org
        row.observed_on, row.meeting_type = item.planned_on, item.meeting_type
        row.status = Observation.Status.SIGNED_UP
    return Observation.objects.bulk_create(rows, batch_size=1000)


@transaction.atomic
def cancel_sign_up(*, actor: User, observation: Observation) -> None:
    require_acting_observer(actor, observation.observer)
    if observation.status != Observation.Status.SIGNED_UP:
        raise ValidationError("只有尚未评价的报名可以取消")
    observation.status = Observation.Status.CANCELLED
    observation.save(update_fields=["status"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=observation,
        org=observation.branch,
        summary={"what": "observation_cancelled"},
    )


# ---------------------------------------------------------------- the evaluation form


@dataclass
class EvaluationData:
    scores: dict[int, int]  # EvaluationItem pk → score
    grade: str
    problems: str = ""
    finding: str = Observation.Finding.NONE
    finding_note: str = ""
    record: MeetingRecord | None = None
    deadline: dt.date | None = None  # 责令纠正: the rectification's deadline
    items: list[str] = field(
        default_factory=list
    )  # 责令纠正: the problems to correct (default: lines of problems)


def active_items() -> list[EvaluationItem]:
    return list(EvaluationItem.objects.filter(is_active=True).order_by("order", "id"))


def validate_scores(scores: dict[int, Any], items: list[EvaluationItem]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in items:
        value = scores.get(item.pk)
        if value is None or value == "":
            errors[f"score_{item.pk}"] = f"请为“{item.name}”打分"
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[f"score_{item.pk}"] = f"“{item.name}”的得分应为整数"
            continue
        if not 0 <= number <= item.max_score:
            errors[f"score_{item.pk}"] = f"“{item.name}”的得分应在 0–{item.max_score} 之间"
    unknown = set(scores) - {i.pk for i in items}
    if unknown:
        errors["scores"] = "评分中含有未启用的评价项目"
    return errors


def _form_errors(
    scores: dict[int, Any], items: list[EvaluationItem], grade: str, finding: str, said: str
) -> dict[str, str]:
    """The evaluation form's own rules: every active item scored in range, a grade, a known finding
    with the problems written down (`said`: the problems or the note)."""
    errors = validate_scores(scores, items)
    if grade not in Observation.Grade.values:
        errors["grade"] = "请选择总体评价"
    if finding not in Observation.Finding.values:
        errors["finding"] = "请选择处理方式"
    elif finding != Observation.Finding.NONE and not said:
        errors["problems"] = "有处理意见时请填写发现的问题"
    return errors


def finding_errors(
    *,
    finding: str,
    record: MeetingRecord | None,
    said: str,
    correction_items: list[str],
    deadline: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    """What a finding needs (submit_evaluation and the bulk path add_findings): 要求重新召开 names a record
    that still counts and says why; 责令纠正 lists the problems and sets a deadline not before `today`."""
    errors: dict[str, str] = {}
    if finding == Observation.Finding.REHOLD:
        if record is None:
            errors["record"] = "要求重新召开时请选择对应的会议记录"
        elif not record.counts:
            errors["record"] = "该会议记录已被要求重新召开"
        if not said:
            errors["finding_note"] = "请说明要求重新召开的原因"
    if finding == Observation.Finding.CORRECTION:
        if deadline is None or deadline < today:
            errors["deadline"] = "整改期限不能早于今天"
        if not correction_items:
            errors["problems"] = "责令纠正时请逐条列出发现的问题"
    return errors


@transaction.atomic
def submit_evaluation(*, actor: User, observation: Observation, data: EvaluationData) -> Observation:
    """Fill in the 《党内组织生活观察质量评价表》 and act on the finding."""
    require_acting_observer(actor, observation.observer)
    obs = lock_rows(Observation.objects).select_related("branch").get(pk=observation.pk)
    today = local_today()
    if obs.status != Observation.Status.SIGNED_UP:
        raise ValidationError("该观察已提交评价或已取消")
    if obs.observed_on > today:
        raise ValidationError("会议尚未召开，不能填写评价")
    items = active_items()
    problems, note = data.problems.strip(), data.finding_note.strip()
    errors = _form_errors(data.scores, items, data.grade, data.finding, problems or note)
    record = data.record
    if record is not None and not candidate_records(obs).filter(pk=record.pk).exists():
        errors["record"] = "所选会议记录不是该支部当月的记录"
    correction_items = [t.strip() for t in (data.items or problems.splitlines()) if t.strip()]
    errors |= finding_errors(
        finding=data.finding,
        record=record,
        said=note or problems,
        correction_items=correction_items,
        deadline=data.deadline,
        today=today,
    )
    if errors:
        raise ValidationError(errors)

    obs.scores = {str(i.pk): int(data.scores[i.pk]) for i in items}
    obs.total = sum(obs.scores.values())
    obs.grade, obs.problems, obs.finding, obs.finding_note = data.grade, problems, data.finding, note
    obs.record = record
    obs.status = Observation.Status.SUBMITTED
    obs.submitted_at = timezone.now()
    if data.finding == Observation.Finding.CORRECTION:
        assert data.deadline is not None
        obs.rectification = _open_rectification(actor, obs, correction_items, data.deadline)
    obs.save()
    if record is not None and data.finding == Observation.Finding.REMINDER:
        add_event(record, "observer_reminder", actor, note or problems, observation=obs.pk)
    if data.finding == Observation.Finding.REHOLD:
        assert record is not None
        _order_rehold(actor, obs, record, note or problems)
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=obs,
        org=obs.branch,
        summary={
            "what": "observation_submitted",
            "total": obs.total,
            "grade": obs.grade,
            "finding": obs.finding,
            "record": record.pk if record else None,
            "rectification": obs.rectification_id,
        },
    )
    observation.refresh_from_db()
    return observation


def _open_rectification(actor: User, obs: Observation, texts: list[str], deadline: dt.date) -> Rectification:
    """责令纠正: an orglife rectification with source 观察员 (the patrol service requires a patrol role,
    which an observer does not hold; the rows and the history are the same)."""
    rect = Rectification.objects.create(
        org=obs.branch,
        record=obs.record,
        source=Rectification.Source.OBSERVER,
        title=f"观察员责令纠正：{obs.branch.display_name} {obs.observed_on:%Y-%m-%d} 组织生活"[:200],
        deadline=deadline,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    RectificationItem.objects.bulk_create(
        [RectificationItem(rectification=rect, text=t[:300]) for t in texts]
    )
    if obs.record is not None:
        add_event(obs.record, "observer_rectification", actor, rectification=rect.pk, observation=obs.pk)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=rect,
        org=obs.branch,
        summary={
            "what": "rectification_opened",
            "source": "observer",
            "observation": obs.pk,
            "deadline": deadline.isoformat(),
            "items": texts,
        },
    )
    return rect


def _order_rehold(actor: User, obs: Observation, record: MeetingRecord, reason: str) -> None:
    """要求重新召开: the original record stops counting, as a patrol's re-hold order does."""
    locked = stop_counting(
        actor=actor,
        record=record,
        action="observer_rehold",
        reason=reason,
        points_reason=f"观察员要求重新召开：{reason}",
        observation=obs.pk,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=locked,
        org=obs.branch,
        summary={"what": "rehold_ordered", "source": "observer", "reason": reason, "observation": obs.pk},
    )


@dataclass
class PastFinding:
    """For `add_findings`: the finding of a submitted form, as the observer wrote it. A 责令纠正 carries its
    deadline and, once the branch has reported back, the evidence and when it was closed."""

    observation: Observation
    finding: str
    problems: str
    note: str = ""
    deadline: dt.date | None = None
    evidence: str = ""
    closed_at: dt.datetime | None = None


@transaction.atomic
def add_findings(*, actor: User | None, findings: Sequence[PastFinding]) -> None:
    """Bulk path of the finding part of `submit_evaluation` (history imports, the demo): each on a submitted
    form that has none yet, checked by the same `finding_errors` as of the day the form was submitted, for
    the whole batch before anything is written. 现场提醒 adds the record's history line, 责令纠正 opens an
    orglife rectification with source 观察员 (its bulk path `add_rectifications`), 要求重新召开 stops the
    record counting (`stop_counting`). No audit row per form: the caller records one for the batch."""
    from_db = Observation.objects.select_related("branch", "observer", "record").in_bulk(
        [f.observation.pk for f in findings]
    )
    errors: list[str] = []
    rects: list[NewRectification] = []
    for f in findings:
        obs = from_db.get(f.observation.pk)
        if obs is None:
            errors.append("评价表不存在")
            continue
        where = f"{obs.branch.display_name} {obs.observed_on:%Y-%m-%d}"
        if actor is not None:
            require_acting_observer(actor, obs.observer)
        problems, note = f.problems.strip(), f.note.strip()
        texts = [t.strip() for t in problems.splitlines() if t.strip()]
        submitted = obs.submitted_at or timezone.now()
        bad = dict(
            finding_errors(
                finding=f.finding,
                record=obs.record,
                said=note or problems,
                correction_items=texts,
                deadline=f.deadline,
                today=timezone.localdate(submitted),
            )
        )
        if obs.status != Observation.Status.SUBMITTED or obs.finding != Observation.Finding.NONE:
            bad["status"] = "只能为已提交且尚无处理意见的评价表补记处理意见"
        if f.finding not in Observation.Finding.values or f.finding == Observation.Finding.NONE:
            bad["finding"] = "请选择处理方式"
        errors += [f"{where}：{m}" for m in bad.values()]
        obs.finding, obs.problems, obs.finding_note = f.finding, problems, note
        f.observation = obs
        if f.finding == Observation.Finding.CORRECTION and f.deadline is not None:
            closed = f.closed_at is not None
            obs.rectification = Rectification(
                org=obs.branch,
                record=obs.record,
                source=Rectification.Source.OBSERVER,
                title=f"观察员责令纠正：{obs.branch.display_name} {obs.observed_on:%Y-%m-%d} 组织生活"[:200],
                deadline=f.deadline,
                opened_by=actor,
                opened_at=submitted,
                status=Rectification.Status.CLOSED if closed else Rectification.Status.OPEN,
                evidence=f.evidence if closed else "",
                closed_at=f.closed_at,
            )
            rects.append(NewRectification(obs.rectification, texts, f.evidence))
    if errors:
        raise ValidationError(errors)
    add_rectifications(rectifications=rects)
    observations = [f.observation for f in findings]
    Observation.objects.bulk_update(
        observations, ["finding", "problems", "finding_note", "rectification"], batch_size=500
    )
    for obs in observations:
        at = obs.submitted_at
        if obs.record is None:
            continue
        if obs.finding == Observation.Finding.REMINDER:
            add_event(
                obs.record,
                "observer_reminder",
                actor,
                obs.finding_note or obs.problems,
                at=at,
                observation=obs.pk,
            )
        elif obs.finding == Observation.Finding.CORRECTION:
            add_event(
                obs.record,
                "observer_rectification",
                actor,
                at=at,
                rectification=obs.rectification_id,
                observation=obs.pk,
            )
        elif obs.finding == Observation.Finding.REHOLD:
            reason = obs.finding_note or obs.problems
            stop_counting(
                actor=actor,
                record=obs.record,
                action="observer_rehold",
                reason=reason,
                points_reason=f"观察员要求重新召开：{reason}",
                at=at,
                observation=obs.pk,
            )


@transaction.atomic
def add_observations(
    *, actor: User | None, rows: Sequence[Observation], today: dt.date | None = None
) -> list[Observation]:
    """Many submitted evaluation forms at once, with no finding (the demo generator's past half-years):
    sign_up's rule that the branch is the observer's in a confirmed plan of that half-year, and
    submit_evaluation's — the observer active (and the actor, unless the system), the meeting held, the
    form complete, a linked record of the branch's month. `row.scores` maps item ids to scores. No audit
    row per form: the caller records one for the batch."""
    if not rows:
        return []
    today = today or local_today()
    items = active_items()
    observers = Observer.objects.in_bulk({row.observer_id for row in rows})
    for observer in observers.values():
        if actor is not None:
            require_acting_observer(actor, observer)
        _require_active(observer)
    assigned = set(
        confirmed_assignments()
        .filter(observer_id__in=list(observers))
        .values_list("observer_id", "branch_id", "plan__half_start")
    )
    record_ids = {row.record_id for row in rows if row.record_id is not None}
    slots = {
        pk: {"org_id": org_id, "month": month}
        for pk, org_id, month in MeetingRecord.objects.filter(pk__in=record_ids)
        .exclude(status=MeetingRecord.Status.DRAFT)
        .values_list("pk", "org_id", "month")
    }
    now = timezone.now()
    for row in rows:
        if (row.observer_id, row.branch_id, half_start(row.observed_on)) not in assigned:
            raise PermissionDenied("该支部不在您本半年的观察范围内")
        if row.observed_on > today:
            raise ValidationError("会议尚未召开，不能填写评价")
        if row.finding != Observation.Finding.NONE:
            raise ValidationError({"finding": "批量写入的评价表不带处理意见"})
        errors = _form_errors(row.scores, items, row.grade, row.finding, "")
        if row.record_id is not None and slots.get(row.record_id) != _record_slot(
            row.branch_id, row.observed_on
        ):
            errors["record"] = "所选会议记录不是该支部当月的记录"
        if errors:
            raise ValidationError(errors)
        row.scores = {str(i.pk): int(row.scores[i.pk]) for i in items}
        row.total = sum(row.scores.values())
        row.status = Observation.Status.SUBMITTED
        row.submitted_at = row.submitted_at or now
    return Observation.objects.bulk_create(rows, batch_size=1000)
