"""The FilterSet of 约谈 (interviews): status, month, overdue. Used by the API list.

"Overdue" means what the interview pages mean: still pending and past its due date (Asia/Shanghai today).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from orglife.models import Interview
from orglife.periods import local_today, parse_month


def overdue_q() -> Q:
    return Q(status=Interview.Status.PENDING, due_on__lt=local_today())


class InterviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Interview.Status.choices, label="状态", empty_label="全部状态"
    )
    month = django_filters.CharFilter(method="filter_month", label="落后月份", help_text="YYYY-MM")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="已逾期", help_text="true：待约谈且已过期限；false：其余"
    )

    class Meta:
        model = Interview
        fields: list[str] = []

    def filter_month(self, qs: QuerySet[Interview], name: str, value: str) -> QuerySet[Interview]:
        if not value.strip():
            return qs
        try:
            return qs.filter(month=parse_month(value))
        except ValueError:
            return qs.none()

    def filter_overdue(self, qs: QuerySet[Interview], name: str, value: bool | None) -> QuerySet[Interview]:
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())
