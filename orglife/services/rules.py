"""Rule-set versions: a department admin publishes a new version; versions are never edited.

A new version starts as a copy of the one in force and changes any value, citing the local document.
It applies from its effective month on; earlier periods keep the version that was in force for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from orglife.models import MeetingRule, MeetingType, RuleSet
from orglife.periods import first_of_month, local_today
from orglife.rules import ruleset_for
from orgs.access import role_paths
from orgs.paths import PATH_STEP
from orgs.roles import Role

# The county-wide settings a version carries, in the order the form shows them.
SETTING_FIELDS = [
    "plan_deadline_day",
    "theme_day_of_month",
    "backfill_days",
    "reminder_days",
    "patrol_sample_size",
    "weight_completion",
    "weight_quality",
    "weight_rectification",
    "lag_bottom_n",
    "lag_threshold",
]


@dataclass
class RuleData:
    """One meeting rule of a new version."""

    meeting_type: str
    period: str
    min_count: int
    applies_to: str
    soft: bool
    source: str = ""


def is_department_admin(user: User) -> bool:
    """The 组织部管理员 of a whole tree: a department admin granted on a root node (the county), or a
    superuser. Only they publish rule versions and close a month, which both reach every county."""
    paths = role_paths(user, {Role.DEPT_ADMIN})
    return paths is None or any(len(path) == PATH_STEP for path in paths)


def current_ruleset() -> RuleSet:
    return ruleset_for(local_today())


def rules_of(ruleset: RuleSet) -> list[RuleData]:
    """The version's rules in the order of MeetingType (the order every page shows them in)."""
    order = {value: i for i, value in enumerate(MeetingType.values)}
    rules = sorted(ruleset.rules.all(), key=lambda r: order.get(r.meeting_type, 99))
    return [RuleData(r.meeting_type, r.period, r.min_count, r.applies_to, r.soft, r.source) for r in rules]


def settings_of(ruleset: RuleSet) -> dict[str, Any]:
    return {name: getattr(ruleset, name) for name in SETTING_FIELDS}


def _validate(effective_from: dt.date, document: str, values: dict[str, Any], rules: list[RuleData]) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if effective_from != first_of_month(effective_from):
        add("effective_from", "生效月份应为某月1日")
    if effective_from < first_of_month(local_today()):
        add("effective_from", "生效月份不能早于本月：已经过去的月份按当时的规则计算")
    if RuleSet.objects.filter(effective_from=effective_from).exists():
        add("effective_from", "该月份已有规则版本；规则版本发布后不可修改，请选择其他月份")
    if not document.strip():
        add("document", "请填写依据文件（名称及文号）")
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        add("__all__", f"未知设置项：{'、'.join(sorted(unknown))}")
    if not 1 <= int(values["plan_deadline_day"]) <= 28:
        add("plan_deadline_day", "截止日应在1至28日之间（每个月都有这一天）")
    theme = values.get("theme_day_of_month")
    if theme is not None and not 1 <= int(theme) <= 28:
        add("theme_day_of_month", "主题党日固定日应在1至28日之间，或留空")
    if int(values["backfill_days"]) < 1:
        add("backfill_days", "补录时限至少1天")
    days = [d.strip() for d in str(values["reminder_days"]).split(",") if d.strip()]
    if not days or not all(d.isdigit() and 1 <= int(d) <= 28 for d in days):
        add("reminder_days", "提醒日应为1至28之间的日期，逗号分隔，如 20,28")
    if int(values["patrol_sample_size"]) < 1:
        add("patrol_sample_size", "巡查抽样数至少为1")
    weights = [int(values[k]) for k in ("weight_completion", "weight_quality", "weight_rectification")]
    if sum(weights) != 100:
        add("weight_completion", f"三项权重之和应为100（现为{sum(weights)}）")
    if int(values["lag_bottom_n"]) < 0:
        add("lag_bottom_n", "落后名次不能为负数")
    if not Decimal(0) <= Decimal(values["lag_threshold"]) <= Decimal(100):
        add("lag_threshold", "落后分数线应在0至100之间")
    types = [r.meeting_type for r in rules]
    if sorted(types) != sorted(MeetingType.values):
        add("rules", "每种会议类型须有且只有一条规则")
    for rule in rules:
        label = MeetingType(rule.meeting_type).label if rule.meeting_type in MeetingType.values else "?"
        if rule.period not in ("month", "quarter", "half", "year"):
            add("rules", f"{label}：周期无效")
        if not 1 <= rule.min_count <= 31:
            add("rules", f"{label}：每周期次数应在1至31之间")
        if rule.applies_to not in MeetingRule.AppliesTo.values:
            add("rules", f"{label}：适用范围无效")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_ruleset_version(
    *,
    actor: User,
    effective_from: dt.date,
    document: str,
    note: str = "",
    values: dict[str, Any],
    rules: list[RuleData],
) -> RuleSet:
    """Publish a new rule-set version effective from the first day of `effective_from`'s month."""
    if not is_department_admin(actor):
        raise PermissionDenied("只有组织部管理员可以修改组织生活规则")
    _validate(effective_from, document, values, rules)
    base = ruleset_for(effective_from)
    ruleset = RuleSet.objects.create(
        effective_from=effective_from,
        document=document.strip(),
        note=note.strip(),
        created_by=actor if actor.is_authenticated else None,
        **values,
    )
    MeetingRule.objects.bulk_create(
        MeetingRule(ruleset=ruleset, **{f.name: getattr(r, f.name) for f in fields(RuleData)}) for r in rules
    )
    changed = _changes(base, ruleset, rules)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=ruleset,
        summary={"based_on": base.pk, "effective_from": f"{effective_from:%Y-%m}", "changed": changed},
    )
    return ruleset


def _changes(base: RuleSet, new: RuleSet, rules: list[RuleData]) -> dict[str, Any]:
    """What differs from the version it was copied from, for the audit log and the versions page."""
    out: dict[str, Any] = {}
    for name in SETTING_FIELDS:
        before, after = getattr(base, name), getattr(new, name)
        if str(before) != str(after):
            out[name] = [
                str(before) if before is not None else None,
                str(after) if after is not None else None,
            ]
    old = {r.meeting_type: r for r in rules_of(base)}
    for rule in rules:
        prev = old.get(rule.meeting_type)
        if prev != rule:
            out[rule.meeting_type] = {
                "before": prev.__dict__ if prev else None,
                "after": rule.__dict__,
            }
    return out


def version_changes(ruleset: RuleSet) -> list[str]:
    """Human-readable differences from the previous version (empty for the first one)."""
    previous = (
        RuleSet.objects.filter(effective_from__lt=ruleset.effective_from).order_by("-effective_from").first()
    )
    if previous is None:
        return []
    lines = []
    for name in SETTING_FIELDS:
        before, after = getattr(previous, name), getattr(ruleset, name)
        if str(before) != str(after):
            label = getattr(RuleSet._meta.get_field(name), "verbose_name", name)
            lines.append(
                f"{label}：{before if before is not None else '未设置'} → {after if after is not None else '未设置'}"
            )
    old = {r.meeting_type: r for r in previous.rules.all()}
    for rule in ruleset.rules.all():
        prev = old.get(rule.meeting_type)
        if prev is None:
            continue
        parts = []
        if prev.period != rule.period or prev.min_count != rule.min_count:
            parts.append(
                f"{prev.get_period_display()}{prev.min_count}次 → {rule.get_period_display()}{rule.min_count}次"
            )
        if prev.applies_to != rule.applies_to:
            parts.append(f"{prev.get_applies_to_display()} → {rule.get_applies_to_display()}")
        if prev.soft != rule.soft:
            parts.append("一般性要求 → 硬性要求" if prev.soft else "硬性要求 → 一般性要求")
        if parts:
            lines.append(f"{rule.get_meeting_type_display()}：{'；'.join(parts)}")
    return lines
