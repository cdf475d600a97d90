"""Django's `date` filter with its results remembered by the process (a template builtin, settings.TEMPLATES).

A page formats the same few dates many times per request and on every request (a plan list shows each month
and each submission time; issue 16 measured 84 `|date` calls on the branch's plan page, 70–170 µs each on the
loaded two-core machine: a third of the page's template time). This filter calls Django's own
`django.template.defaultfilters.date` and remembers its result under everything that result depends on: the
value (already converted to the current time zone by the engine, as the filter `expects_localtime`), the
value's type and tzinfo (two aware datetimes of the same instant in different zones compare equal), the
format and the active language (month and weekday names, named formats). Settings that also shape the
output (formats, time zone database) are fixed for the life of a process. Nothing is re-implemented: a value
seen for the first time, or one that cannot be a key, is formatted by Django exactly as before.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any, cast

from django import template
from django.template import defaultfilters
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=8192)
def _formatted(kind: Hashable, value: Any, tzinfo: Any, arg: str | None, language: str | None) -> str:
    return defaultfilters.date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    tzinfo, language = getattr(value, "tzinfo", None), get_language()
    try:
        hash((value, tzinfo, arg))
    except TypeError:  # an unhashable value cannot be a key; Django formats (or rejects) it as before
        return defaultfilters.date(value, arg)
    return _formatted(cast(Hashable, type(value)), value, tzinfo, arg, language)
