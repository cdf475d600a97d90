"""Monthly plans (月度计划): filed by the branch from the 1st to the deadline of the month before, reviewed above.

The window: a plan for month X may be filed from 00:00 on the 1st of the month before X (Asia/Shanghai);
after the deadline day of that month it is still accepted but marked late. The deadline day comes from the
rule set in force in the filing month (the deadline is a day of that month); what the plan must contain
comes from the rule set in force for X.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, prefetch_related_objects
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from orglife.models import MeetingRule, MeetingType, MonthlyPlan, PlanEvent, PlanItem, RuleSet
from orglife.periods import MONTH, SHANGHAI, add_months, first_of_month, plan_deadline
from orglife.rules import LIFE_KINDS, Requirement, due_in, groups_of, requirements, ruleset_for
from orglife.selectors.stats import counting_records
from orglife.services.rollups import sync_branches
from orglife.services.stats import refresh_after_change
from orgs import spreadsheets
from orgs.access import covers, grants
from orgs.models import Organization, RoleGrant
from orgs.roles import Role

REVIEW_ROLES = (Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN)
BRANCH_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN)
TYPE_ORDER = {value: i for i, value in enumerate(MeetingType.values)}
ITEM_FIELDS = ["meeting_type", "group", "planned_on", "place", "topic", "host_name", "lecturer_name", "note"]


@dataclass
class PlanItemData:
    """One planned meeting as the form or the API gives it; `required` is recomputed, never trusted."""

    meeting_type: str
    group: Organization | None = None
    planned_on: dt.date | None = None
    place: str = ""
    topic: str = ""
    host_name: str = ""
    lecturer_name: str = ""
    note: str = ""
    required: bool = False
    hint: str = ""  # why the 提示单 lists it (display only)

    @property
    def label(self) -> str:
        name = MeetingType(self.meeting_type).label
        return f"{name}（{self.group.display_name}）" if self.group is not None else name


@dataclass
class Check:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- window


@dataclass(frozen=True)
class Window:
    """When the plan for `month` may be filed."""

    month: dt.date
    opens: dt.datetime
    deadline: dt.datetime
    closes: dt.datetime  # the end of the planned month: no plan is filed for a month that is over

    def state(self, now: dt.datetime) -> str:
        if now < self.opens:
            return "not_open"
        if now <= self.deadline:
            return "open"
        if now < self.closes:
            return "late"
        return "closed"

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        return self.deadline - now


def filing_window(month: dt.date, *, rulesets: dict[dt.date, RuleSet] | None = None) -> Window:
    """The month's filing window; `rulesets` (from rulesets_for) saves the rule set look-up."""
    month = first_of_month(month)
    filing_month = add_months(month, -1)
    ruleset = rulesets[filing_month] if rulesets and filing_month in rulesets else ruleset_for(filing_month)
    day = ruleset.plan_deadline_day
    opens = dt.datetime(filing_month.year, filing_month.month, 1, tzinfo=SHANGHAI)
    after = add_months(month, 1)
    closes = dt.datetime(after.year, after.month, 1, tzinfo=SHANGHAI)
    return Window(month, opens, plan_deadline(month, day), closes)


def check_window(month: dt.date, now: dt.datetime | None = None) -> Window:
    """The filing window, or a ValidationError if the plan cannot be filed now."""
    window = filing_window(month)
    state = window.state(now or timezone.now())
    if state == "not_open":
        raise ValidationError(
            {"month": f"{month:%Y年%m月}的计划自{window.opens:%Y年%m月%d日}起报送，现在还不能报送"}
        )
    if state == "closed":
        raise ValidationError({"month": f"{month:%Y年%m月}已经结束，不能再报送该月计划"})
    return window


# ---------------------------------------------------------------- the 提示单


def _theme_date(month: dt.date, ruleset: RuleSet) -> dt.date | None:
    if not ruleset.theme_day_of_month:
        return None
    last = (add_months(month, 1) - dt.timedelta(days=1)).day
    return month.replace(day=min(ruleset.theme_day_of_month, last))


def _held_counts(org: Organization, reqs: list[Requirement]) -> dict[tuple[str, int | None, dt.date], int]:
    """Counting records of the branch by (meeting type, group, month) over every period in `reqs`: one query."""
    periods = [r for r in reqs if r.period.kind != MONTH]
    if not periods:
        return {}
    start = min(r.period.start for r in periods)
    end = max(r.period.months[-1] for r in periods)
    rows = (
        counting_records(org, start, end)
        .order_by()
        .values_list("meeting_type", "group_id", "month")
        .annotate(n=Count("id"))
    )
    return {(kind, group, month): n for kind, group, month, n in rows}


def _held(counts: dict[tuple[str, int | None, dt.date], int], req: Requirement) -> int:
    months = set(req.period.months)
    return sum(
        n
        for (kind, group, month), n in counts.items()
        if kind == req.meeting_type and month in months and (req.group is None or group == req.group.pk)
    )


def prompt_items(
    org: Organization,
    month: dt.date,
    *,
    ruleset: RuleSet | None = None,
    groups: list[Organization] | None = None,
) -> list[PlanItemData]:
    """The 提示单: what the rules ask of the branch in `month`, as items to pre-fill the plan with.

    Monthly rules give their items every month; quarterly and longer ones appear until met in their
    period, required in the month their period ends. The records held so far are counted in one query;
    `ruleset` and `groups` (the branch's active 党小组), when the caller has them, save their look-ups.
    """
    month = first_of_month(month)
    ruleset = ruleset or ruleset_for(month)
    theme_on = _theme_date(month, ruleset)
    out: list[PlanItemData] = []
    per_group = any(rule.applies_to == MeetingRule.AppliesTo.PER_GROUP for rule in ruleset.rules.all())
    if groups is None:
        groups = groups_of(org) if per_group else []
    reqs = requirements(org, month, ruleset=ruleset, groups=groups)
    counts = _held_counts(org, reqs)
    for req in reqs:
        if req.period.kind == MONTH:
            count, hint = req.min_count, f"{req.period.label}须开展{req.min_count}次"
        else:
            count = max(req.min_count - _held(counts, req), 0)
            due = "本月为最后期限" if due_in(req, month) else f"{req.period.end:%m月%d日}前完成即可"
            hint = f"{req.period.label}须开展{req.min_count}次，尚缺{count}次，{due}"
        if not req.soft:
            hint += "（硬性要求）"
        for _ in range(count):
            out.append(
                PlanItemData(
                    meeting_type=req.meeting_type,
                    group=req.group,
                    planned_on=theme_on if req.meeting_type == MeetingType.THEME_DAY else None,
                    required=due_in(req, month),
                    hint=hint,
                )
            )
    out.sort(key=lambda i: (TYPE_ORDER[i.meeting_type], i.group.path if i.group else ""))
    return out


# ---------------------------------------------------------------- checks


def _due_requirements(
    org: Organization,
    month: dt.date,
    *,
    ruleset: RuleSet | None = None,
    groups: list[Organization] | None = None,
) -> list[Requirement]:
    return [r for r in requirements(org, month, ruleset=ruleset, groups=groups) if due_in(r, month)]


def _matches(item: PlanItemData | PlanItem, req: Requirement) -> bool:
    group_id = item.group.pk if item.group is not None else None
    return item.meeting_type == req.meeting_type and (req.group is None or group_id == req.group.pk)


def mark_required(
    org: Organization,
    month: dt.date,
    items: list[PlanItemData],
    *,
    ruleset: RuleSet | None = None,
    groups: list[Organization] | None = None,
) -> None:
    """Flag the items that meet a requirement due this month (the first min_count matching ones)."""
    for item in items:
        item.required = False
    for req in _due_requirements(org, month, ruleset=ruleset, groups=groups):
        left = req.min_count
        for item in items:
            if left and not item.required and _matches(item, req):
                item.required = True
                left -= 1


def validate_items(
    org: Organization,
    month: dt.date,
    items: list[PlanItemData],
    *,
    groups: list[Organization] | None = None,
) -> None:
    """Shape rules that hold even for a draft: known types, the branch's own groups, dates in the month."""
    errors: list[str] = []
    group_ids = {g.pk for g in (groups if groups is not None else groups_of(org))}
    last = add_months(month, 1) - dt.timedelta(days=1)
    for n, item in enumerate(items, start=1):
        if item.meeting_type not in MeetingType.values:
            errors.append(f"第{n}项：会议类型无效")
            continue
        if item.group is not None and item.group.pk not in group_ids:
            errors.append(f"第{n}项：所选党小组不属于本支部")
        if item.meeting_type == MeetingType.GROUP and item.group is None:
            errors.append(f"第{n}项：党小组会须选择党小组")
        if item.planned_on is not None and not month <= item.planned_on <= last:
            errors.append(f"第{n}项：计划日期应在{month:%Y年%m月}内")
    if len(items) > 60:
        errors.append("一个月的计划最多60项")
    if errors:
        raise ValidationError({"items": errors})


def check_plan(
    org: Organization,
    month: dt.date,
    items: list[PlanItemData],
    *,
    ruleset: RuleSet | None = None,
    groups: list[Organization] | None = None,
) -> Check:
    """What stops a submission (errors) and what only warns (soft rules, the fixed theme day)."""
    result = Check()
    if not items:
        result.errors.append("计划中没有任何活动")
    for n, item in enumerate(items, start=1):
        missing = [
            label
            for label, value in (
                ("计划日期", item.planned_on),
                ("地点", item.place),
                ("主题/议题", item.topic),
                ("主持人", item.host_name),
            )
            if not value
        ]
        if item.meeting_type == MeetingType.LECTURE and not item.lecturer_name:
            missing.append("党课主讲人")
        if missing:
            result.errors.append(f"第{n}项（{item.label}）未填写：{'、'.join(missing)}")
    ruleset = ruleset or ruleset_for(month)
    for req in _due_requirements(org, month, ruleset=ruleset, groups=groups):
        have = sum(1 for item in items if _matches(item, req))
        if have < req.min_count:
            text = f"本月应开展{req.label}{req.min_count}次，计划中只有{have}次"
            (result.warnings if req.soft else result.errors).append(text)
    theme_on = _theme_date(month, ruleset)
    if theme_on is not None:
        for item in items:
            if item.meeting_type == MeetingType.THEME_DAY and item.planned_on and item.planned_on != theme_on:
                result.warnings.append(
                    f"主题党日固定在每月{ruleset.theme_day_of_month}日，计划日期为{item.planned_on:%m月%d日}"
                )
    return result


def items_of(plan: MonthlyPlan) -> list[PlanItemData]:
    return [
        PlanItemData(**{name: getattr(i, name) for name in ITEM_FIELDS}, required=i.required)
        for i in plan.items.select_related("group")
    ]


def plan_check(plan: MonthlyPlan) -> Check:
    return check_plan(plan.org, plan.month, items_of(plan))


# ---------------------------------------------------------------- who reviews


def can_review(user: User, org: Organization) -> bool:
    """The 党(工)委 above the branch reviews: a committee or department admin on a node strictly above it,
    never someone who holds a role in the branch itself."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    held = grants(user)
    if any(role in BRANCH_ROLES and path.startswith(org.path) for role, path in held):
        return False
    return any(role in REVIEW_ROLES and org.path.startswith(path) and org.path != path for role, path in held)


# ---------------------------------------------------------------- writes


def _event(plan: MonthlyPlan, action: str, actor: User | None, payload: dict[str, Any] | None = None) -> None:
    PlanEvent.objects.create(
        plan=plan,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        payload=payload or {},
        created_at=timezone.now(),
    )


def _audit(
    plan: MonthlyPlan, actor: User, step: str, action: str = AuditEvent.Action.UPDATE, **extra: Any
) -> None:
    record_event(
        actor=actor,
        action=action,
        target=plan,
        org=plan.org,
        summary={"step": step, "month": f"{plan.month:%Y-%m}", "status": plan.status, **extra},
    )


def _save_items(plan: MonthlyPlan, items: list[PlanItemData]) -> None:
    mark_required(plan.org, plan.month, items)
    plan.items.all().delete()
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, required=i.required, **{name: getattr(i, name) for name in ITEM_FIELDS})
        for i in items
    )


def _locked(plan: MonthlyPlan) -> MonthlyPlan:
    return lock_rows(MonthlyPlan.objects).select_related("org").get(pk=plan.pk)


def _require_writer(actor: User, org: Organization) -> None:
    if not covers(actor, org.path, write=True):
        raise PermissionDenied("您无权编制该支部的计划")


@transaction.atomic
def create_plan(*, actor: User, org: Organization, month: dt.date, items: list[PlanItemData]) -> MonthlyPlan:
    """A new draft plan for `month` (the branch submits it separately)."""
    month = first_of_month(month)
    _require_writer(actor, org)
    if org.kind not in LIFE_KINDS:
        raise ValidationError({"org": "只有党支部（党总支）报送月度计划"})
    check_window(month)
    if MonthlyPlan.objects.filter(org=org, month=month).exists():
        raise ValidationError({"month": f"本支部{month:%Y年%m月}的计划已经存在，请在原计划上修改"})
    validate_items(org, month, items)
    plan = MonthlyPlan.objects.create(org=org, month=month, created_by=actor)
    _save_items(plan, items)
    _event(plan, "created", actor, {"items": len(items)})
    _audit(plan, actor, "create", AuditEvent.Action.CREATE, items=len(items))
    return plan


@transaction.atomic
def update_plan(*, actor: User, plan: MonthlyPlan, items: list[PlanItemData]) -> MonthlyPlan:
    """Replace the items of a draft or returned plan."""
    plan = _locked(plan)
    _require_writer(actor, plan.org)
    if plan.status not in (MonthlyPlan.Status.DRAFT, MonthlyPlan.Status.RETURNED):
        raise ValidationError(f"{plan.get_status_display()}的计划不能修改")
    validate_items(plan.org, plan.month, items)
    before = len(items_of(plan))
    _save_items(plan, items)
    plan.save(update_fields=["updated_at"])
    _event(plan, "edited", actor, {"items_before": before, "items": len(items)})
    _audit(plan, actor, "edit", items=len(items))
    return plan


@transaction.atomic
def submit_plan(*, actor: User, plan: MonthlyPlan) -> list[str]:
    """Submit (or resubmit after a return) for review; returns the soft-rule warnings."""
    plan = _locked(plan)
    _require_writer(actor, plan.org)
    if plan.status not in (MonthlyPlan.Status.DRAFT, MonthlyPlan.Status.RETURNED):
        raise ValidationError(f"{plan.get_status_display()}的计划不能再提交")
    window = check_window(plan.month)
    result = plan_check(plan)
    if result.errors:
        raise ValidationError(result.errors)
    now = timezone.now()
    resubmit = plan.status == MonthlyPlan.Status.RETURNED
    if plan.submitted_at is None:
        # Lateness is fixed by the first filing: a plan filed on time and returned stays on time.
        plan.submitted_at = now
        plan.is_late = plan.is_late or now > window.deadline
    plan.status = MonthlyPlan.Status.SUBMITTED
    plan.save(update_fields=["status", "submitted_at", "is_late", "updated_at"])
    if plan.is_late:
        sync_branches([plan.org], [plan.month])  # the late plans on the completion pages
    _event(
        plan,
        "resubmitted" if resubmit else "submitted",
        actor,
        {"late": plan.is_late, "warnings": result.warnings},
    )
    _audit(plan, actor, "resubmit" if resubmit else "submit", late=plan.is_late)
    return result.warnings


def _reviewable(actor: User, plan: MonthlyPlan) -> MonthlyPlan:
    plan = _locked(plan)
    if not can_review(actor, plan.org):
        raise PermissionDenied("只有上级党（工）委可以审核支部计划")
    if plan.status != MonthlyPlan.Status.SUBMITTED:
        raise ValidationError(f"{plan.get_status_display()}的计划不在待审核状态")
    return plan


@transaction.atomic
def approve_plan(*, actor: User, plan: MonthlyPlan) -> MonthlyPlan:
    plan = _reviewable(actor, plan)
    plan.status = MonthlyPlan.Status.APPROVED
    plan.reviewed_by = actor
    plan.reviewed_at = timezone.now()
    plan.return_reason = ""
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason", "updated_at"])
    _event(plan, "approved", actor)
    _audit(plan, actor, "approve")
    refresh_after_change(plan.org, plan.month)
    return plan


@transaction.atomic
def return_plan(*, actor: User, plan: MonthlyPlan, reason: str) -> MonthlyPlan:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因"})
    plan = _reviewable(actor, plan)
    plan.status = MonthlyPlan.Status.RETURNED
    plan.reviewed_by = actor
    plan.reviewed_at = timezone.now()
    plan.return_reason = reason
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason", "updated_at"])
    _event(plan, "returned", actor, {"reason": reason})
    _audit(plan, actor, "return", reason=reason)
    return plan


# ---------------------------------------------------------------- the bulk path (imports, the demo)

PLAN_ACTIONS = ("created", "submitted", "edited", "returned", "resubmitted", "approved")


@dataclass
class NewPlan:
    """A plan with its history as it happened, for `add_plans`; `events` are (action, payload, at)."""

    org: Organization
    month: dt.date
    status: str
    items: list[PlanItemData]
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    return_reason: str = ""
    events: list[tuple[str, dict[str, Any], dt.datetime]] = field(default_factory=list)


def _state_errors(new: NewPlan, check: Check) -> list[str]:
    """The facts each status implies, as create/submit/approve/return would leave them."""
    status, errors = new.status, []
    if status not in MonthlyPlan.Status.values:
        return ["状态无效"]
    if status == MonthlyPlan.Status.DRAFT:
        if new.submitted_at is not None or new.reviewed_at is not None:
            errors.append("草稿不应有报送或审核时间")
        return errors
    if new.submitted_at is None or new.submitted_at < new.created_at:
        errors.append("已报送的计划须有不早于编制的报送时间")
    errors += check.errors  # what submit_plan refuses
    reviewed = status in (MonthlyPlan.Status.APPROVED, MonthlyPlan.Status.RETURNED)
    if reviewed != (new.reviewed_at is not None):
        errors.append("审核时间与状态不符")
    elif reviewed and new.submitted_at and new.reviewed_at and new.reviewed_at < new.submitted_at:
        errors.append("审核时间早于报送时间")
    if (status == MonthlyPlan.Status.RETURNED) != bool(new.return_reason.strip()):
        errors.append("退回原因与状态不符")
    return errors


@transaction.atomic
def add_plans(*, plans: list[NewPlan]) -> list[tuple[MonthlyPlan, list[PlanItem]]]:
    """Bulk path of create/submit/approve/return for imports and the demo: whole plans with their history.

    The single-row rules decide, for the whole batch in a bounded number of queries: branches only, one
    plan per branch-month, `validate_items`, `check_plan`'s errors for anything submitted, the status
    facts, lateness from the filing deadline, `required` recomputed by `mark_required`, the submission
    warnings in the events. The filing window is not checked (history is filed in the past). Returns
    each plan with its items in the given order. No audit row: the caller records one event.
    """
    if not plans:
        return []
    months = {first_of_month(n.month) for n in plans}
    rulesets = {m: ruleset_for(m) for m in months | {add_months(m, -1) for m in months}}
    prefetch_related_objects(list(rulesets.values()), "rules")
    org_ids = {n.org.pk for n in plans}
    groups: dict[int, list[Organization]] = {pk: [] for pk in org_ids}
    for g in Organization.objects.filter(
        parent_id__in=org_ids, kind=Organization.Kind.GROUP, is_active=True
    ).order_by("path"):
        groups[g.parent_id].append(g)  # type: ignore[index]
    taken = set(
        MonthlyPlan.objects.filter(org_id__in=org_ids, month__in=months).values_list("org_id", "month")
    )
    errors: list[str] = []
    rows: list[MonthlyPlan] = []
    for n in plans:
        month, org = first_of_month(n.month), n.org
        where = f"{org.code} {month:%Y-%m}"
        if org.kind not in LIFE_KINDS:
            errors.append(f"{where}：只有党支部（党总支）报送月度计划")
            continue
        if (org.pk, month) in taken:
            errors.append(f"{where}：该月计划已经存在")
            continue
        taken.add((org.pk, month))
        ruleset, own_groups = rulesets[month], groups[org.pk]
        try:
            validate_items(org, month, n.items, groups=own_groups)
        except ValidationError as e:
            errors += [f"{where}：{m}" for m in e.messages]
            continue
        check = check_plan(org, month, n.items, ruleset=ruleset, groups=own_groups)
        bad = _state_errors(n, check) + [
            f"未知的计划事件：{a}" for a, _, _ in n.events if a not in PLAN_ACTIONS
        ]
        if bad:
            errors += [f"{where}：{m}" for m in bad]
            continue
        mark_required(org, month, n.items, ruleset=ruleset, groups=own_groups)
        deadline = plan_deadline(month, rulesets[add_months(month, -1)].plan_deadline_day)
        for action, payload, _ in n.events:
            if action in ("submitted", "resubmitted"):
                payload["warnings"] = check.warnings
        rows.append(
            MonthlyPlan(
                org=org,
                month=month,
                status=n.status,
                created_at=n.created_at,
                updated_at=max([n.created_at, *(at for _, _, at in n.events)]),
                submitted_at=n.submitted_at,
                is_late=n.submitted_at is not None and n.submitted_at > deadline,
                reviewed_at=n.reviewed_at,
                return_reason=n.return_reason,
            )
        )
    if errors:
        raise ValidationError(errors)
    MonthlyPlan.objects.bulk_create(rows, batch_size=500)
    out: list[tuple[MonthlyPlan, list[PlanItem]]] = []
    for plan, n in zip(rows, plans, strict=True):
        items = [
            PlanItem(plan=plan, required=i.required, **{name: getattr(i, name) for name in ITEM_FIELDS})
            for i in n.items
        ]
        out.append((plan, items))
    PlanItem.objects.bulk_create([i for _, items in out for i in items], batch_size=500)
    late = {p.org_id: p.org for p in rows if p.is_late}
    sync_branches(list(late.values()), sorted({p.month for p in rows if p.is_late}))
    PlanEvent.objects.bulk_create(
        [
            PlanEvent(plan=plan, action=a, payload=payload, created_at=at)
            for plan, n in zip(rows, plans, strict=True)
            for a, payload, at in n.events
        ],
        batch_size=500,
    )
    return out


# ---------------------------------------------------------------- the deadline job


@dataclass
class DeadlineResult:
    plan_month: dt.date
    deadline: dt.datetime
    passed: bool
    missing: list[Organization]
    unsubmitted: list[MonthlyPlan]
    newly_marked: int = 0
    notices: int = 0


@transaction.atomic
def check_plan_deadline(*, month: dt.date, actor: User | None = None) -> DeadlineResult:
    """After the deadline in filing month `month`: list branches with no plan for the next month, mark
    unsubmitted drafts late and leave each such branch one in-site notice. Safe to run again."""
    plan_month = add_months(first_of_month(month), 1)
    window = filing_window(plan_month)
    now = timezone.now()
    branches = Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True).order_by("path")
    filed = MonthlyPlan.objects.filter(month=plan_month)
    missing = list(branches.filter(~Exists(filed.filter(org_id=OuterRef("pk")))))  # an anti-join, not NOT IN
    drafts = list(filed.filter(status=MonthlyPlan.Status.DRAFT).select_related("org").order_by("org__path"))
    result = DeadlineResult(plan_month, window.deadline, now > window.deadline, missing, drafts)
    if not result.passed:
        return result
    for plan in drafts:
        if not plan.is_late:
            plan.is_late = True
            plan.save(update_fields=["is_late", "updated_at"])
            _event(plan, "marked_late", actor)
            result.newly_marked += 1
    sync_branches([p.org for p in drafts if p.is_late], [plan_month])
    late_orgs = [*missing, *(p.org for p in drafts)]
    writers = RoleGrant.objects.filter(org__in=late_orgs, role__in=BRANCH_ROLES).select_related("user")
    for grant in writers:
        org = grant.org
        body = (
            f"{org.display_name}：{plan_month:%Y年%m月}组织生活计划应于{window.deadline:%m月%d日}前报送，"
            "目前尚未报送，请尽快报送。"
        )
        _, created = Message.objects.get_or_create(
            dedupe_key=f"plan-missing:{org.pk}:{plan_month:%Y-%m}:{grant.user_id}",
            defaults={
                "channel": Message.Channel.SITE,
                "recipient": grant.user,
                "recipient_name": str(grant.user),
                "org": org,
                "title": "月度计划逾期未报送",
                "body": body,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        result.notices += int(created)
    if result.newly_marked or result.notices:
        record_event(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target_repr=f"{plan_month:%Y年%m月}计划截止检查",
            actor_name="" if actor else "系统任务",
            summary={
                "plan_month": f"{plan_month:%Y-%m}",
                "missing": len(missing),
                "unsubmitted": len(drafts),
                "newly_marked": result.newly_marked,
                "notices": result.notices,
            },
        )
    return result


# ---------------------------------------------------------------- export


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOARD_HEADERS = ["序号", "党支部", "上级组织", "报送情况", "计划状态", "报送时间", "审核时间"]


def export_board(*, user: User, month: dt.date, rows: Any, filters: dict[str, Any] | None = None) -> bytes:
    """The plan status board of a month as .xlsx (the same rows as the page); audited."""
    from orglife.selectors.plans import STATE_LABELS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{month:%Y年%m月}计划报送")
    spreadsheets.append(
        ws, [f"{month:%Y年%m月}月度计划报送情况（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"]
    )
    spreadsheets.append(ws, BOARD_HEADERS)
    count = 0
    for org in rows:
        count += 1
        spreadsheets.append(
            ws,
            [
                count,
                org.name,
                org.parent.display_name if org.parent else "",
                STATE_LABELS[org.state],
                dict(MonthlyPlan.Status.choices).get(org.plan_status, "未建立"),
                timezone.localtime(org.plan_submitted_at).strftime("%Y-%m-%d %H:%M")
                if org.plan_submitted_at
                else "",
                timezone.localtime(org.plan_reviewed_at).strftime("%Y-%m-%d %H:%M")
                if org.plan_reviewed_at
                else "",
            ],
        )
    for column, width in zip("ABCDEFG", (6, 36, 28, 12, 10, 18, 18), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_repr=f"导出{month:%Y年%m月}计划报送情况 {count} 个支部",
        summary={"filters": filters or {}, "rows": count},
    )
    return out.getvalue()


def board_file_name(month: dt.date) -> str:
    return f"月度计划报送情况_{month:%Y%m}.xlsx"
