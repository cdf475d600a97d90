"""The roster's one FilterSet (page, API and export) and the candidates' filter."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from observers.models import Candidate, Observer
from observers.services.roster import trained_q
from orgs.models import Organization
from orgs.paths import under_path_q


def _under(qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
    path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
    if path is None:
        return qs.none()
    return qs.filter(under_path_q(path, "committee__path"))


class ObserverFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="member__name", lookup_expr="contains", label="姓名")
    committee = django_filters.NumberFilter(method="filter_committee", label="党(工)委（组织ID，含下级）")
    status = django_filters.ChoiceFilter(
        choices=Observer.Status.choices, label="状态", empty_label="全部状态"
    )
    trained = django_filters.BooleanFilter(method="filter_trained", label="本年已参加培训")

    class Meta:
        model = Observer
        fields: list[str] = []

    def filter_committee(self, qs: QuerySet[Observer], name: str, value: Any) -> QuerySet[Observer]:
        return _under(qs, value)

    def filter_trained(self, qs: QuerySet[Observer], name: str, value: bool | None) -> QuerySet[Observer]:
        if value is None:
            return qs
        cond = trained_q(timezone.localdate().year)
        return qs.filter(cond) if value else qs.exclude(cond)


class CandidateFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(method="filter_committee", label="党(工)委（组织ID，含下级）")
    status = django_filters.ChoiceFilter(
        choices=Candidate.Status.choices, label="状态", empty_label="全部状态"
    )
    source = django_filters.ChoiceFilter(
        choices=Candidate.Source.choices, label="产生方式", empty_label="全部方式"
    )

    class Meta:
        model = Candidate
        fields: list[str] = []

    def filter_committee(self, qs: QuerySet[Candidate], name: str, value: Any) -> QuerySet[Candidate]:
        return _under(qs, value)
