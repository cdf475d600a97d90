"""学时折算标准 (RULES.md L-06): a department admin publishes a new version from a date; versions are never edited.

A version applies from its date on; activities before it keep the version that was in force on their date, so
hours already earned never change. Hence a new version starts after the latest one and no earlier than tomorrow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning.conversions import latest_conversion
from learning.models import Conversion
from orglife.services.rules import is_department_admin

REFUSED = "只有组织部管理员可以修改学时折算标准"
MAX_PER_DAY = Decimal("24")


@dataclass
class ConversionData:
    effective_from: dt.date
    hours_per_day: Decimal
    hours_per_half_day: Decimal
    study_hours_per_hour: Decimal
    document: str
    note: str = ""

    @classmethod
    def of(cls, fields: dict[str, Any]) -> ConversionData:
        """From a form's cleaned data or a serializer's validated data (the page and the API)."""
        return cls(
            effective_from=fields["effective_from"],
            hours_per_day=fields["hours_per_day"],
            hours_per_half_day=fields["hours_per_half_day"],
            study_hours_per_hour=fields["study_hours_per_hour"],
            document=fields["document"],
            note=fields["note"],
        )


def can_configure(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_department_admin(user)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def conversion_errors(data: ConversionData, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    latest = latest_conversion()
    if data.effective_from <= today:
        add(
            "effective_from",
            "生效日期最早为明天：今天及以前的学习已按当时的折算标准计入学时，不能追溯修改",
        )
    if latest is not None and data.effective_from <= latest.effective_from:
        add(
            "effective_from",
            f"生效日期应晚于最新版本的生效日期（{latest.effective_from:%Y-%m-%d}）",
        )
    for field, label, places in (
        ("hours_per_day", "全天培训折合学时", 1),
        ("hours_per_half_day", "半天讲座折合学时", 1),
        ("study_hours_per_hour", "集中学习每小时折合学时", 2),
    ):
        value = getattr(data, field)
        if not value.is_finite() or value <= 0:
            add(field, f"{label}应为正数")
        elif _decimals(value) > places:
            add(field, f"{label}最多保留{places}位小数")
        elif value > MAX_PER_DAY:
            add(field, f"{label}不能超过{MAX_PER_DAY}")
    day, half = data.hours_per_day, data.hours_per_half_day
    if day.is_finite() and half.is_finite() and day > 0 and half > day:
        add("hours_per_half_day", "半天讲座折合学时不能多于全天培训折合学时")
    if not data.document.strip():
        add("document", "请填写依据（本地文件名称及文号）")
    return errors


@transaction.atomic
def publish_conversion(*, actor: Any, data: ConversionData, today: dt.date | None = None) -> Conversion:
    """Add a version in force from `data.effective_from` (after the latest version, from tomorrow at the
    earliest)."""
    if not can_configure(actor):
        raise PermissionDenied(REFUSED)
    # One publisher at a time: the check against the latest version and the insert must not interleave.
    list(Conversion.objects.select_for_update().order_by("-effective_from")[:1])
    errors = conversion_errors(data, today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    previous = latest_conversion()
    conversion = Conversion.objects.create(
        effective_from=data.effective_from,
        hours_per_day=data.hours_per_day,
        hours_per_half_day=data.hours_per_half_day,
        study_hours_per_hour=data.study_hours_per_hour,
        document=data.document.strip(),
        note=data.note.strip(),
        created_by=actor,
    )
    changed = {
        name: [str(getattr(previous, name)), str(getattr(conversion, name))]
        for name in CHANGEABLE
        if previous is None or getattr(previous, name) != getattr(conversion, name)
    }
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=conversion,
        summary={
            "effective_from": f"{data.effective_from:%Y-%m-%d}",
            "based_on": previous.pk if previous else None,
            "changed": changed,
        },
    )
    return conversion


CHANGEABLE = ("hours_per_day", "hours_per_half_day", "study_hours_per_hour")


def version_changes(versions: list[Conversion]) -> dict[int, list[str]]:
    """For each version (any order), what differs from the one before it, in words (none for the first)."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    out: dict[int, list[str]] = {}
    for before, after in zip([None, *ordered], ordered, strict=False):
        lines: list[str] = []
        if before is not None:
            for name in CHANGEABLE:
                old, new = getattr(before, name), getattr(after, name)
                if old != new:
                    label = cast("models.Field[Any, Any]", Conversion._meta.get_field(name)).verbose_name
                    lines.append(f"{label}：{old.normalize():f} → {new.normalize():f}")
        out[after.pk] = lines
    return out
