"""A member's 学时 of a year: the account's own lines (lessons heard, trainings, offline study) plus the
organizational-life study meetings they attended (approved records of the study types, read from the
attendance, at the L-06 rate of the conversion table in force on each meeting's date), against the requirement of their post (L-01 32, L-02 56), unless exempt (L-07)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from learning.conversions import ConversionTable
from learning.defaults import Rules, rules
from learning.models import Exemption, StudyEntry
from orglife.models import Attendance, MeetingRecord
from orgs.access import get_for_user, own_member_id, require_tree
from orgs.models import Member, Organization, Position
from orgs.stages import Candidate, candidates_under

ZERO = Decimal("0")


def _half(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def _midnight(day: dt.date) -> dt.datetime:
    """The start of a local day (the activity's date is the local date a meeting started on)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return _midnight(dt.date(year, 1, 1)), _midnight(dt.date(year + 1, 1, 1))


def _study_attendance(r: Rules, year: int) -> QuerySet[Attendance]:
    start, end = _year_bounds(year)
    return Attendance.objects.filter(
        status=Attendance.Status.PRESENT,
        record__status=MeetingRecord.Status.APPROVED,
        record__counts=True,
        record__meeting_type__in=r.study_meeting_types,
        record__started_at__gte=start,
        record__started_at__lt=end,
    )


def orglife_hours(
    member_ids: list[int] | None, year: int, members: QuerySet[Member] | None = None
) -> dict[int, Decimal]:
    r = rules()
    qs = _study_attendance(r, year)
    if members is not None:
        qs = qs.filter(member__in=members.values("pk"))
    elif member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    length = ExpressionWrapper(F("record__ended_at") - F("record__started_at"), output_field=DurationField())
    # The year in pieces, one per conversion version in force during it (L-06): each meeting's length is
    # converted at the rate of its own date, so a version added later never changes earlier hours.
    spans = ConversionTable().spans(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    rates = [conversion.study_hours_per_hour for _, _, conversion in spans]
    piece = Case(
        *(
            When(record__started_at__gte=_midnight(since), then=Value(i))
            for i, (since, _, _) in reversed(list(enumerate(spans)))
            if i > 0
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows: Iterable[tuple[int, int, Any]] = (
        (
            (member_id, 0, total)
            for member_id, total in qs.values("member_id")
            .annotate(total=Sum(length))
            .values_list("member_id", "total")
        )
        if len(spans) == 1
        else qs.annotate(piece=piece)
        .values("member_id", "piece")
        .annotate(total=Sum(length))
        .values_list("member_id", "piece", "total")
    )
    raw: dict[int, Decimal] = defaultdict(Decimal)
    for member_id, i, total in rows:
        seconds = (
            Decimal(total.total_seconds()) if isinstance(total, dt.timedelta) else Decimal(total or 0) / 10**6
        )
        raw[member_id] += seconds / 3600 * rates[i]
    return {member_id: _half(value) for member_id, value in raw.items()}


def entry_hours(members: QuerySet[Member], year: int) -> dict[int, Decimal]:
    rows = (
        StudyEntry.objects.filter(year=year, member__in=members.values("pk"))
        .values("member_id")
        .annotate(total=Sum("hours"))
        .values_list("member_id", "total")
    )
    return {member_id: total or ZERO for member_id, total in rows}


def leader_ids(members: QuerySet[Member], year: int) -> set[int]:
    r = rules()
    return set(
        Position.objects.filter(member__in=members.values("pk"), title__in=r.leader_titles)
        .filter(started_on__lte=dt.date(year, 12, 31))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)))
        .values_list("member_id", flat=True)
    )


@dataclass
class AccountRow:
    member: Member
    hours: Decimal
    from_orglife: Decimal
    requirement: Decimal | None  # None: exempt (L-07)
    leader: bool
    exemption: str = ""

    @property
    def gap(self) -> Decimal:
        if self.requirement is None:
            return ZERO
        return max(self.requirement - self.hours, ZERO)

    @property
    def met(self) -> bool:
        return self.requirement is None or self.hours >= self.requirement

    @property
    def percent(self) -> int:
        if not self.requirement:
            return 100
        return min(100, int(self.hours * 100 / self.requirement))


def account_rows(members: QuerySet[Member], year: int) -> list[AccountRow]:
    """Every member of `members` with their year's hours and requirement, in the queryset's order."""
    r = rules()
    own = entry_hours(members, year)
    meetings = orglife_hours(None, year, members)
    leaders = leader_ids(members, year)
    exempt = dict(
        Exemption.objects.filter(year=year, member__in=members.values("pk")).values_list(
            "member_id", "reason"
        )
    )
    rows = []
    for m in members.select_related("org"):
        total = own.get(m.pk, ZERO) + meetings.get(m.pk, ZERO)
        leader = m.pk in leaders
        requirement = None if m.pk in exempt else (r.leader_hours if leader else r.general_hours)
        rows.append(AccountRow(m, total, meetings.get(m.pk, ZERO), requirement, leader, exempt.get(m.pk, "")))
    return rows


@dataclass
class AccountLine:
    day: dt.date
    title: str
    source: str
    hours: Decimal
    entry_id: int | None = None
    removable: bool = False


def account_lines(member: Member, year: int) -> list[AccountLine]:
    r = rules()
    lines = [
        AccountLine(
            e.studied_on, e.title, e.get_kind_display(), e.hours, e.pk, e.kind == StudyEntry.Kind.OFFLINE
        )
        for e in StudyEntry.objects.filter(member=member, year=year)
    ]
    table = ConversionTable()
    for a in _study_attendance(r, year).filter(member=member).select_related("record"):
        rec = a.record
        day = timezone.localtime(rec.started_at).date()
        rate = table.on(day).study_hours_per_hour
        hours = _half(Decimal((rec.ended_at - rec.started_at).total_seconds()) / 3600 * rate)
        if hours > 0:
            lines.append(
                AccountLine(
                    day,
                    rec.topic,
                    rec.get_meeting_type_display(),
                    hours,
                )
            )
    lines.sort(key=lambda line: line.day, reverse=True)
    return lines


@dataclass
class NodeSummary:
    org: Organization
    members: int
    exempt: int
    met: int
    hours: Decimal

    @property
    def rate(self) -> int:
        due = self.members - self.exempt
        return 100 if due <= 0 else int(self.met * 100 / due)


def node_summary(org: Organization, rows: list[AccountRow]) -> list[NodeSummary]:
    """The rows grouped by the child of `org` they sit under (or `org` itself), for the committee's view."""
    children = list(Organization.objects.filter(parent=org).order_by("path"))
    groups: dict[int, NodeSummary] = {}
    by_prefix = [(c.path, c) for c in children]
    tally: dict[int, list[AccountRow]] = defaultdict(list)
    for row in rows:
        node = next((c for prefix, c in by_prefix if row.member.org.path.startswith(prefix)), org)
        tally[node.pk].append(row)
        groups.setdefault(node.pk, NodeSummary(node, 0, 0, 0, ZERO))
    for pk, items in tally.items():
        s = groups[pk]
        s.members = len(items)
        s.exempt = sum(1 for i in items if i.requirement is None)
        s.met = sum(1 for i in items if i.requirement is not None and i.met)
        s.hours = sum((i.hours for i in items), ZERO)
    return sorted(groups.values(), key=lambda s: s.org.path)


@dataclass
class CandidateRow:
    """A 发展对象 against L-05 (≥3 days or ≥24 学时 of short concentrated training). They are not members yet,
    so their training is the one the pipeline records (development, D-09), read through orgs.stages."""

    candidate: Candidate
    requirement: Decimal
    days_required: int = 3

    @property
    def hours(self) -> Decimal:
        return self.candidate.training_hours or ZERO

    @property
    def met(self) -> bool:
        return self.hours >= self.requirement or (self.candidate.training_days or 0) >= self.days_required

    @property
    def gap(self) -> Decimal:
        return ZERO if self.met else max(self.requirement - self.hours, ZERO)


def candidate_rows(org: Organization) -> list[CandidateRow]:
    r = rules()
    return [CandidateRow(c, r.candidate_hours) for c in candidates_under(org.path)]


def member_for(user: Any, pk: Any) -> Member:
    """The member whose 学时 account the user may read: their own, or one in their scope (404 otherwise)."""
    member_id = own_member_id(user)
    if member_id is not None and str(member_id) == str(pk):
        return Member.objects.select_related("org").get(pk=member_id)
    require_tree(user)
    return get_for_user(Member.objects.select_related("org"), user, pk)
