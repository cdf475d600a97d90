"""The 学时 conversion table in force on a day (RULES.md L-06): every computation reads the version in force on
the activity's date, so adding a version never changes hours already earned."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable

from learning.models import Conversion

MISSING = "没有适用于该日期的学时折算标准"


def current_conversion(today: dt.date) -> Conversion | None:
    """The version in force on `today` (the latest effective on or before it), for the pages that show it
    (None on a database without one)."""
    return Conversion.objects.filter(effective_from__lte=today).order_by("-effective_from").first()


def conversion_on(day: dt.date) -> Conversion:
    """The version in force on `day`, for a computation: none is an error."""
    found = current_conversion(day)
    if found is None:
        raise Conversion.DoesNotExist(MISSING)
    return found


def latest_conversion() -> Conversion | None:
    return Conversion.objects.order_by("-effective_from").first()


class ConversionTable:
    """Every version, loaded once (a handful of rows), for code that converts many activities of many dates."""

    def __init__(self, versions: Iterable[Conversion] | None = None) -> None:
        rows = list(Conversion.objects.all() if versions is None else versions)
        self.versions = sorted(rows, key=lambda v: v.effective_from)
        self._starts = [v.effective_from for v in self.versions]

    def on(self, day: dt.date) -> Conversion:
        i = bisect_right(self._starts, day)
        if i == 0:
            raise Conversion.DoesNotExist(MISSING)
        return self.versions[i - 1]

    def spans(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, Conversion]]:
        """The versions in force over [start, end) as (from, until, version) pieces covering it in order."""
        first = self.on(start)
        out: list[tuple[dt.date, dt.date, Conversion]] = []
        current, since = first, start
        for version in self.versions:
            if start < version.effective_from < end:
                out.append((since, version.effective_from, current))
                current, since = version, version.effective_from
        out.append((since, end, current))
        return out
