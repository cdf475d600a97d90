"""Who stands at a stage of the pipeline towards membership (发展对象…), for the apps beside `development`.

发展对象 are people, not yet members (orgs.Member starts at 预备党员), and their records belong to
`development`, which sits beside `learning` and may not be imported by it. The ground floor therefore holds
only this slot: `development` fills it when it is ready (DevelopmentConfig.ready), and a reader asks it for the
candidates under a node. Without `development` installed the answer is empty, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Candidate:
    """A 发展对象 as the other apps may see them: no personal data beyond the name."""

    person_id: int
    name: str
    org_id: int
    org_name: str
    since: dt.date | None
    training_days: Decimal | None
    training_hours: Decimal | None


CandidateSource = Callable[[str], list[Candidate]]
_source: list[CandidateSource] = []


def provide_candidates(source: CandidateSource) -> None:
    """Called once by the app owning the pipeline; a second call replaces the first (tests, reloads)."""
    _source[:] = [source]


def candidates_under(path: str) -> list[Candidate]:
    """The 发展对象 in the subtree at `path`, ordered by organization and name."""
    return _source[0](path) if _source else []
