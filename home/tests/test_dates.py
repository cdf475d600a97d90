"""The remembered `date` filter (home/templatetags/dates.py) prints exactly what Django's own filter prints."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Engine, Template
from django.utils import timezone, translation

from home.templatetags import dates

FORMATS = ["Y-m-d", "Y-m-d H:i", "Y年n月", "n月j日 H:i", "m-d", "H:i", "D, d M Y", "r", "DATETIME_FORMAT", ""]
AWARE = dt.datetime(2026, 11, 30, 17, 45, tzinfo=dt.UTC)  # 12-01 01:45 in Beijing: the day differs by zone
VALUES = [dt.date(2026, 2, 1), AWARE, AWARE.astimezone(zoneinfo.ZoneInfo("America/New_York")), None, "", "x"]


def _outcome(template: Template, value: object, fmt: str) -> str:
    try:
        return template.render(Context({"v": value, "f": fmt}))
    except TypeError as error:  # e.g. a time format for a date: Django refuses it, and so must we
        return f"TypeError: {error}"


def _django(value: object, fmt: str) -> str:
    """Django's own filter through a plain engine (no builtins of ours)."""
    return _outcome(Template("{{ v|date:f }}", engine=Engine()), value, fmt)


def _ours(value: object, fmt: str) -> str:
    return _outcome(Template("{{ v|date:f }}"), value, fmt)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_text_as_django_in_every_zone_and_language(zone: str, language: str) -> None:
    assert Template("{{ v|date:'Y' }}").engine.template_builtins[-1].filters["date"] is dates.date
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        for _ in range(2):  # the second pass is answered from the memo
            for value in VALUES:
                for fmt in FORMATS:
                    assert _ours(value, fmt) == _django(value, fmt), (value, fmt)


def test_a_remembered_result_does_not_leak_into_another_zone_or_language() -> None:
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert _ours(AWARE, "Y-m-d H:i") == "2026-12-01 01:45"
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        assert _ours(AWARE, "Y-m-d H:i") == "2026-11-30 17:45"
    with translation.override("zh-hans"):
        chinese = _ours(dt.date(2026, 2, 1), "F")
    with translation.override("en"):
        assert _ours(dt.date(2026, 2, 1), "F") == "February" != chinese


def test_unhashable_values_are_formatted_by_django() -> None:
    assert dates.date([dt.date(2026, 1, 1)], "Y") == _django([dt.date(2026, 1, 1)], "Y") == ""
