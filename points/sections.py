"""Sections other apps add to a member's 一人一档 (page and PDF): 学时 and videos from `learning`, and any app
above `points` that keeps something about one member's year.

`points` sits below those apps and may not import them, so they hand it a function when they are ready
(AppConfig.ready → `add_file_section`). A section is plain data — a title, a summary line, a table — so the
page and the PDF draw it the same way and no template of another app runs inside this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgs.models import Member


@dataclass(frozen=True)
class FileSection:
    title: str
    summary: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "本年度暂无记录"
    warn: bool = False  # the summary states a shortfall (shown in red)


SectionSource = Callable[["Member", int], list[FileSection]]
_sources: dict[str, SectionSource] = {}


def add_file_section(key: str, source: SectionSource) -> None:
    """Register (or replace, by `key`) a source of sections; called from an app's ready()."""
    _sources[key] = source


def file_sections(member: Member, year: int) -> list[FileSection]:
    """Every registered app's sections for the member's year, in the order the apps registered."""
    return [section for source in _sources.values() for section in source(member, year)]
