"""Helpers for the selection, roster and planner tests: candidates through the services, appointed observers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from observers.models import Candidate, Observer, ReviewOpinion, ReviewUnit
from observers.services.selection import appoint, record_opinion, register_candidate


def candidate(cast: Any, member: Any = None, *, committee: Any = None, years: str = "5") -> Candidate:
    return register_candidate(
        actor=cast.dept_admin,
        member=member or cast.member_a1,
        committee=committee or cast.committee_a,
        source=Candidate.Source.RECOMMENDED,
        party_work_years=Decimal(years),
    )


def all_agree(cast: Any, cand: Candidate) -> None:
    for unit in ReviewUnit.objects.filter(is_active=True):
        record_opinion(actor=cast.dept_admin, candidate=cand, unit=unit, opinion=ReviewOpinion.Opinion.AGREE)


def observer(
    cast: Any, member: Any, *, committee: Any = None, day: dt.date = dt.date(2026, 3, 2)
) -> Observer:
    cand = candidate(cast, member, committee=committee)
    all_agree(cast, cand)
    return appoint(actor=cast.dept_admin, candidate=cand, appointed_on=day).observer
