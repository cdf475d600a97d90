"""微党课 counted by node and quarter, as 保靖 reports them: for each node directly under the focus, the lessons,
the distinct speakers and, per quarter, the share of its branches that held at least one lesson."""

from __future__ import annotations

from dataclasses import dataclass, field

from learning.models import Lesson
from orgs.models import Organization
from orgs.paths import under_path_q


@dataclass
class NodeCounts:
    org: Organization
    lessons: int = 0
    branches: int = 0
    speakers: set[int] = field(default_factory=set)
    active: list[set[str]] = field(
        default_factory=lambda: [set(), set(), set(), set()]
    )  # branch paths per quarter

    @property
    def speaker_count(self) -> int:
        return len(self.speakers)

    @property
    def shares(self) -> list[int]:
        return [int(len(q) * 100 / self.branches) if self.branches else 0 for q in self.active]


def counts_by_node(org: Organization, year: int) -> list[NodeCounts]:
    """One row per child of `org` (none when `org` has no children), in path order. Two statements: the
    children's branches and the year's lessons under `org` (path, speaker, month), grouped here."""
    children = list(Organization.objects.filter(parent=org).order_by("path"))
    if not children:
        return []
    rows = {c.path: NodeCounts(c) for c in children}
    width = len(children[0].path)

    def row_of(path: str) -> NodeCounts | None:
        return rows.get(path[:width])

    for path in Organization.objects.under(org).branches().values_list("path", flat=True).order_by():
        row = row_of(path)
        if row is not None:
            row.branches += 1
    for path, speaker, day, kind in (
        Lesson.objects.filter(under_path_q(org.path, "org__path"), given_on__year=year)
        .values_list("org__path", "speaker_id", "given_on", "org__kind")
        .order_by()
    ):
        row = row_of(path)
        if row is None:
            continue
        row.lessons += 1
        row.speakers.add(speaker)
        if kind in Organization.BRANCH_KINDS:
            row.active[(day.month - 1) // 3].add(path)
    return list(rows.values())
