"""The audit list's one FilterSet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent


def target_type_choices() -> list[tuple[str, str]]:
    """Every model of the project's own apps, as AuditEvent.target_type stores it (app.Model)."""
    return sorted(
        (m._meta.label, str(m._meta.verbose_name))
        for m in apps.get_models()
        if not m.__module__.startswith(("django.", "rest_framework", "django_"))
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="关键词")
    action = django_filters.ChoiceFilter(
        choices=AuditEvent.Action.choices, label="操作", empty_label="全部操作"
    )
    actor_name = django_filters.CharFilter(lookup_expr="icontains", label="操作人")
    target_type = django_filters.ChoiceFilter(choices=[], label="对象类型", empty_label="全部类型")
    date_from = django_filters.DateFilter(method="filter_date_from", label="开始日期")
    date_to = django_filters.DateFilter(method="filter_date_to", label="结束日期")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["target_type"].extra["choices"] = target_type_choices()

    def filter_q(self, qs: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(actor_name__icontains=value)
            | Q(target_repr__icontains=value)
            | Q(target_id=value)
            | Q(ip__startswith=value)
        )

    # Whole local days turned into datetime bounds, so the created_at index is used.
    def filter_date_from(self, qs: QuerySet[AuditEvent], name: str, value: dt.date) -> QuerySet[AuditEvent]:
        return qs.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, qs: QuerySet[AuditEvent], name: str, value: dt.date) -> QuerySet[AuditEvent]:
        return qs.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))
