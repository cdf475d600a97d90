"""The pipeline list's one FilterSet (page and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from development.models import Person, Stage
from orgs.models import Organization
from orgs.paths import under_path_q


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="姓名")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="阶段", empty_label="全部阶段")
    org = django_filters.NumberFilter(method="filter_org", label="党组织（组织ID，含下级）")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_org(self, qs: QuerySet[Person], name: str, value: Any) -> QuerySet[Person]:
        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        return qs.none() if path is None else qs.filter(under_path_q(path, "org__path"))
