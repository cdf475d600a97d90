"""Reads of photo pairs (照片比对) shared by the pages and the API: a record's pairs, and which of the
records in some pairs the user may open (the other side of a pair may lie outside the user's scope)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from orglife.models import MeetingRecord, PhotoMatch

PAIR_RELATED = ("record__org", "other_record__org", "photo", "other", "explained_by", "reviewed_by")


def record_pairs(record: MeetingRecord) -> QuerySet[PhotoMatch]:
    """Every pair of a record, reuse (复用) before similar (相似), open ones first."""
    return (
        PhotoMatch.objects.filter(Q(record=record) | Q(other_record=record))
        .select_related(*PAIR_RELATED)
        .order_by("-kind", "review", "-score", "id")
    )


def visible_record_ids(user: Any, pairs: Iterable[PhotoMatch]) -> set[int]:
    """The records of these pairs the user may open (one query)."""
    ids = set()
    for p in pairs:
        ids |= {p.record_id, p.other_record_id}
    if not ids:
        return set()
    return set(MeetingRecord.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
