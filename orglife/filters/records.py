"""The one FilterSet of meeting records, shared by the record list page and the API list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from orglife.models import MeetingRecord, MeetingType
from orglife.periods import parse_month
from orgs.models import Organization
from orgs.paths import under_path_q

FLAGS = [("unplanned", "计划外"), ("backfill", "补录"), ("photo_reused", "照片疑似重复")]


class RecordFilter(django_filters.FilterSet):
    org = django_filters.NumberFilter(method="filter_org", label="党组织（含下级）")
    month = django_filters.CharFilter(method="filter_month", label="月份", help_text="YYYY-MM")
    meeting_type = django_filters.ChoiceFilter(
        choices=MeetingType.choices, label="会议类型", empty_label="全部类型"
    )
    status = django_filters.ChoiceFilter(
        choices=MeetingRecord.Status.choices, label="状态", empty_label="全部状态"
    )
    flag = django_filters.ChoiceFilter(
        choices=FLAGS, method="filter_flag", label="标记", empty_label="全部标记"
    )

    class Meta:
        model = MeetingRecord
        fields: list[str] = []

    def filter_org(self, qs: QuerySet[MeetingRecord], name: str, value: Any) -> QuerySet[MeetingRecord]:
        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(under_path_q(path, "org__path"))

    def filter_month(self, qs: QuerySet[MeetingRecord], name: str, value: str) -> QuerySet[MeetingRecord]:
        if not value.strip():
            return qs
        try:
            return qs.filter(month=parse_month(value))
        except ValueError:
            return qs.none()

    def filter_flag(self, qs: QuerySet[MeetingRecord], name: str, value: str) -> QuerySet[MeetingRecord]:
        if value == "unplanned":
            return qs.filter(plan_item__isnull=True)
        if value == "backfill":
            return qs.filter(is_backfill=True)
        if value == "photo_reused":
            return qs.filter(photo_reused=True)
        return qs
