"""Small helpers for the points tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accounts.models import User
from orgs.models import Member
from points import services
from points.models import LedgerEntry
from points.selectors import annual_totals

_n = [0]


def award(member: Member, code: str, day: dt.date, actor: User | None = None) -> LedgerEntry | None:
    _n[0] += 1
    return services.award_automatic(
        actor=actor, member=member, item_code=code, occurred_on=day, source_type="test", source_id=f"t{_n[0]}"
    )


def total(member: Any, year: int = 2026) -> Decimal:
    return annual_totals(Member.objects.filter(pk=member.pk), year).get().total


def balance(member: Any) -> Decimal:
    return sum((e.points for e in LedgerEntry.objects.filter(member=member)), Decimal("0"))
