"""FilterSets for plan lists: one for plans (pages and API), one for the status board (page and export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from orglife.models import MonthlyPlan
from orglife.periods import parse_month
from orglife.selectors.plans import STATE_LABELS
from orgs.models import Organization
from orgs.paths import under_path_q


def _under(qs: QuerySet[Any], value: Any, field: str) -> QuerySet[Any]:
    path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
    return qs.none() if path is None else qs.filter(under_path_q(path, field))


class PlanFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", label="计划月份（YYYY-MM）")
    status = django_filters.ChoiceFilter(
        choices=MonthlyPlan.Status.choices, label="状态", empty_label="全部状态"
    )
    is_late = django_filters.BooleanFilter(label="逾期报送")
    org = django_filters.NumberFilter(method="filter_org", label="所在组织（含下级）")

    class Meta:
        model = MonthlyPlan
        fields: list[str] = []

    def filter_month(self, qs: QuerySet[MonthlyPlan], name: str, value: str) -> QuerySet[MonthlyPlan]:
        if not value.strip():
            return qs
        try:
            return qs.filter(month=parse_month(value))
        except ValueError:
            return qs.none()

    def filter_org(self, qs: QuerySet[MonthlyPlan], name: str, value: Any) -> QuerySet[MonthlyPlan]:
        return _under(qs, value, "org__path")


class BoardFilter(django_filters.FilterSet):
    """Filters the rows of selectors_plans.board (organizations annotated with their plan state)."""

    committee = django_filters.NumberFilter(method="filter_committee", label="上级党组织")
    state = django_filters.ChoiceFilter(
        choices=list(STATE_LABELS.items()), method="filter_state", label="报送情况", empty_label="全部"
    )
    q = django_filters.CharFilter(method="filter_q", label="支部名称")

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_committee(self, qs: QuerySet[Organization], name: str, value: Any) -> QuerySet[Organization]:
        return _under(qs, value, "path")

    def filter_state(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return qs.filter(**{"state": value}) if value else qs  # `state` is the board's annotation

    def filter_q(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        value = value.strip()
        return qs.filter(Q(name__contains=value) | Q(short_name__contains=value)) if value else qs
