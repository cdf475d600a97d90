"""A person walked through the pipeline by the services, step by step, with fixed dates (today is
NOW, so every step is a back-fill with a reason)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from conftest import make_member
from development.models import Link, Person, Stage, Vote
from development.services import pipeline as svc
from orglife.models import MeetingRecord
from orglife.rules import barred_from_voting
from orglife.services import records as rec
from orglife.tests.records_fixtures import data, photo
from orgs.models import Member, Organization
from personal import idcard

NOW = dt.datetime(2028, 1, 20, 10, 0, tzinfo=dt.UTC)
WHY = "补录纸质档案"
APPLIED = dt.date(2025, 9, 1)
TALKED = dt.date(2025, 9, 20)
ACTIVIST = dt.date(2025, 10, 10)
ASSESSED = (dt.date(2026, 3, 10), dt.date(2026, 9, 10))
NOTICE = dt.date(2026, 10, 12)  # a Monday: five working days end on 19 October
CANDIDATE = dt.date(2026, 10, 20)
REVIEW = dt.date(2026, 11, 1)
TRAINED = dt.date(2026, 11, 10)
PRE_REVIEW = dt.date(2026, 11, 20)
P_NOTICE = dt.date(2026, 11, 23)  # Monday → 30 November
ASSEMBLY = dt.date(2026, 12, 5)
APPROVED = dt.date(2027, 2, 1)
_seq = [500]


def applicant(cast: Any, birth: dt.date = dt.date(2000, 3, 1), **extra: Any) -> Person:
    _seq[0] += 1
    person, _ = svc.register_application(
        actor=cast.secretary,
        org=cast.branch_a1,
        name=extra.pop("name", "周新"),
        id_number=idcard.make("340101", birth, _seq[0]),
        applied_on=extra.pop("applied_on", APPLIED),
        phone="13912340000",
        is_league_member=True,
        backdate_reason=WHY,
        **extra,
    )
    return person


def full_members(org: Organization, n: int) -> list[Member]:
    have = list(Member.objects.filter(org=org, category="full").order_by("id"))
    for i in range(n - len(have)):
        have.append(make_member(org, f"党员{i}"))
    return have[:n]


def to_activist(cast: Any, person: Person) -> Person:
    svc.record_talk(actor=cast.secretary, person=person, on=TALKED, backdate_reason=WHY)
    svc.make_activist(
        actor=cast.secretary,
        person=person,
        nomination="members",
        decided_on=ACTIVIST,
        filed_on=ACTIVIST + dt.timedelta(days=5),
        backdate_reason=WHY,
    )
    svc.set_links(
        actor=cast.secretary,
        person=person,
        kind=Link.Kind.CONTACT,
        members=full_members(cast.branch_a1, 2)[:2],
        on=ACTIVIST,
        backdate_reason=WHY,
    )
    for day in ASSESSED:
        svc.add_assessment(
            actor=cast.secretary, person=person, held_on=day, summary="表现良好", backdate_reason=WHY
        )
    return Person.objects.get(pk=person.pk)


def to_candidate(cast: Any, person: Person, *, decided_on: dt.date = CANDIDATE) -> Person:
    to_activist(cast, person)
    svc.publish_notice(
        actor=cast.secretary, person=person, kind="candidate", starts_on=NOTICE, backdate_reason=WHY
    )
    svc.make_candidate(
        actor=cast.secretary,
        person=person,
        decided_on=decided_on,
        filed_on=decided_on + dt.timedelta(days=2),
        backdate_reason=WHY,
    )
    return Person.objects.get(pk=person.pk)


def ready_for_vote(cast: Any, person: Person) -> Person:
    to_candidate(cast, person)
    svc.set_links(
        actor=cast.secretary,
        person=person,
        kind=Link.Kind.SPONSOR,
        members=full_members(cast.branch_a1, 2),
        on=CANDIDATE,
        backdate_reason=WHY,
    )
    svc.record_review(
        actor=cast.secretary,
        person=person,
        on=REVIEW,
        conclusion="政治合格",
        passed=True,
        backdate_reason=WHY,
    )
    svc.record_training(
        actor=cast.secretary, person=person, until=TRAINED, days=Decimal(3), hours=None, backdate_reason=WHY
    )
    svc.record_pre_review(
        actor=cast.secretary,
        person=person,
        on=PRE_REVIEW,
        form_issued_on=PRE_REVIEW + dt.timedelta(days=1),
        backdate_reason=WHY,
    )
    svc.publish_notice(
        actor=cast.secretary, person=person, kind="probation", starts_on=P_NOTICE, backdate_reason=WHY
    )
    return Person.objects.get(pk=person.pk)


def assembly(cast: Any, day: dt.date, *, present: int | None = None) -> MeetingRecord:
    """A submitted 支部党员大会 of branch_a1 on `day`, with the first `present` voters there (all by default)."""
    roster = rec.roster_for(cast.branch_a1, "general_assembly")
    full = [m for m in roster.due if m.category == "full"]
    here = {m.pk for m in full[: len(full) if present is None else present]}
    attendance = [rec.AttendanceEntry(m.pk, m.pk in here or m.category != "full", "出差") for m in roster.due]
    record = rec.create_record(
        actor=cast.secretary,
        org=cast.branch_a1,
        data=data(
            cast.branch_a1,
            day=day,
            meeting_type="general_assembly",
            attendance=attendance,
            vote_subject="讨论接收预备党员",
            votes_yes=len(here - barred_from_voting(here, day)),  # no vote under 留党察看
            votes_no=0,
            votes_abstain=0,
        ),
        photos=[photo(day.toordinal() % 97)],
    )
    return rec.submit_record(actor=cast.secretary, record=record)


def voted(cast: Any, person: Person, day: dt.date = ASSEMBLY) -> Person:
    ready_for_vote(cast, person)
    record = assembly(cast, day)
    n = record.eligible_voters or 0
    svc.record_admission_vote(actor=cast.secretary, person=person, record=record, yes=n, no=0, abstain=0)
    return Person.objects.get(pk=person.pk)


def probationary(cast: Any, person: Person) -> Person:
    voted(cast, person)
    svc.approve_admission(
        actor=cast.committee_admin,
        person=person,
        talk_on=APPROVED - dt.timedelta(days=5),
        approved_on=APPROVED,
        backdate_reason=WHY,
    )
    return Person.objects.get(pk=person.pk)


def vote_on(cast: Any, person: Person, day: dt.date, kind: str = Vote.Kind.CONVERSION, **extra: Any) -> Vote:
    record = assembly(cast, day)
    n = record.eligible_voters or 0
    return svc.record_conversion_vote(
        actor=cast.secretary, person=person, record=record, kind=kind, yes=n, no=0, abstain=0, **extra
    )


__all__ = ["Stage"]
