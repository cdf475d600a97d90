"""一人一册 reads: each record of a book with its latest live spot check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from learning.models import StudyBook, StudyCheck, StudyRecord


@dataclass
class BookRow:
    record: StudyRecord
    last: StudyCheck | None


def book_rows(book: StudyBook, records: Iterable[StudyRecord]) -> list[BookRow]:
    """Each record with its latest live check (one query for the checks of the records given)."""
    records = list(records)
    latest: dict[int, StudyCheck] = {}
    for c in (
        StudyCheck.objects.live().filter(record__in=[r.pk for r in records]).order_by("checked_on", "pk")
    ):
        latest[c.record_id] = c
    return [BookRow(r, latest.get(r.pk)) for r in records]
