"""留党察看 (orgs.Discipline) is one fact read by both floors: the 党员大会 page of organizational life and
development's 支部大会 vote count the same voters (Q-01, D-12), whether the discipline was entered before the
meeting was recorded or afterwards with an earlier start; and the move from development keeps the rows."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from development.services import pipeline as svc
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW
from orglife.models import MeetingRecord
from orgs.models import Discipline


def _page_counts(cast, record: MeetingRecord) -> str:
    response = cast.client(cast.secretary).get(reverse("orglife:record_detail", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _vote(cast, person, record):
    vote, _ = svc.record_admission_vote(
        actor=cast.secretary, person=person, record=record, yes=2, no=1, abstain=0
    )
    return vote


@time_machine.travel(NOW)
@pytest.mark.parametrize("entered", ["before", "after"])
def test_the_meeting_page_and_the_vote_count_the_same_voters(cast, entered):
    person = f.ready_for_vote(cast, f.applicant(cast))
    barred = f.full_members(cast.branch_a1, 4)[3]

    def discipline():
        svc.add_discipline(
            actor=cast.secretary,
            member=barred,
            starts_on=dt.date(2026, 1, 1),
            ends_on=None,
            note="留党察看二年",
        )

    if entered == "before":
        discipline()
    record = f.assembly(cast, f.ASSEMBLY)  # everyone present, the barred member too
    if entered == "after":
        assert (record.eligible_voters, record.present_voters) == (4, 4)
        discipline()  # dated before the meeting: the stored record is recounted
        record.refresh_from_db()
    assert (record.eligible_voters, record.present_voters, record.quorum_met) == (3, 3, True)
    assert "应到会有表决权党员 3 人，实到 3 人" in _page_counts(cast, record)
    vote = _vote(cast, person, record)
    assert (vote.eligible, vote.present, vote.passed) == (3, 3, True)


@time_machine.travel(NOW)
def test_a_discipline_ended_before_the_meeting_changes_nothing(cast):
    barred = f.full_members(cast.branch_a1, 4)[3]
    record = f.assembly(cast, f.ASSEMBLY)
    svc.add_discipline(
        actor=cast.secretary,
        member=barred,
        starts_on=dt.date(2025, 1, 1),
        ends_on=f.ASSEMBLY,  # rights restored on the meeting day: a voter
        note="留党察看一年",
    )
    record.refresh_from_db()
    assert (record.eligible_voters, record.present_voters) == (4, 4)


BEFORE = [("development", "0006_objection")]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_rows_and_recounts_old_meetings(cast):
    # A transactional test starts from whatever the previous one left: an earlier one's flush removes the
    # default rule set that orglife's data migration loaded. Load it again (it does nothing if present).
    default_rules = importlib.import_module("orglife.migrations.0002_default_ruleset")
    default_rules.load(django_apps, SimpleNamespace(connection=connection))
    with time_machine.travel(NOW):
        barred = f.full_members(cast.branch_a1, 4)[3]
        record = f.assembly(cast, f.ASSEMBLY)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps.get_model("development", "Discipline")
    kept = old.objects.create(member_id=barred.pk, starts_on=dt.date(2026, 1, 1), note="留党察看二年")
    assert (MeetingRecord.objects.values_list("eligible_voters", "present_voters").get(pk=record.pk)) == (
        4,
        4,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Discipline.objects.get()
    assert (moved.pk, moved.member_id, moved.starts_on, moved.ends_on, moved.note) == (
        kept.pk,
        barred.pk,
        dt.date(2026, 1, 1),
        None,
        "留党察看二年",
    )
    assert MeetingRecord.objects.values_list("eligible_voters", "present_voters").get(pk=record.pk) == (3, 3)
    # the id sequence moved past the copied rows
    Discipline.objects.create(member_id=barred.pk, starts_on=dt.date(2027, 1, 1), note="另一处分")
