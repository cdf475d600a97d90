"""The FilterSet of photo pairs (照片复用核查): which pairs a list shows. Used by the page and the API list.

Without `show` a list shows the pairs that still need the patrol: reuse not explained away.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from orglife.models import PhotoMatch

# show → (label, filter, exclude)
SHOWS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "": ("待核查的复用", {"kind": PhotoMatch.Kind.REUSE}, {"review": PhotoMatch.Review.ACCEPTED}),
    "explained": ("已说明待核查", {"review": PhotoMatch.Review.EXPLAINED}, {}),
    "similar": ("相似（同一活动）", {"kind": PhotoMatch.Kind.SIMILAR}, {}),
    "all": ("全部", {}, {}),
}


class PhotoMatchFilter(django_filters.FilterSet):
    show = django_filters.ChoiceFilter(
        choices=[(k, v[0]) for k, v in SHOWS.items() if k],
        method="filter_show",
        label="显示",
        help_text="不填：待核查的复用；explained：已说明待核查；similar：相似（同一活动）；all：全部",
    )

    class Meta:
        model = PhotoMatch
        fields: list[str] = []

    def filter_show(self, qs: QuerySet[PhotoMatch], name: str, value: str) -> QuerySet[PhotoMatch]:
        return qs  # applied in filter_queryset, which also covers the default (no `show`)

    def filter_queryset(self, queryset: QuerySet[PhotoMatch]) -> Any:
        _, keep, drop = SHOWS[self.form.cleaned_data.get("show") or ""]
        queryset = queryset.filter(**keep)
        if drop:
            queryset = queryset.exclude(**drop)
        return queryset.order_by("-kind", "review", "-created_at", "-id")
