"""发展对象 as an audience and against L-05: learning reads them through orgs.stages (development answers), so
neither app imports the other; a candidate who becomes a 预备党员 leaves the list; no member's requirement
is ever 24 学时 (members are never 发展对象)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from development.models import Person, Stage
from development.services import pipeline as dev
from development.tests.fixtures_dev import NOW, TRAINED, WHY, applicant, to_candidate
from learning.defaults import rules
from learning.selectors import account_rows, candidate_rows
from learning.services import videos as svc
from orgs.models import Member
from orgs.stages import candidates_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(cast):
    with time_machine.travel(NOW):
        return to_candidate(cast, applicant(cast, name="钱进"))


def test_development_answers_the_ground_floor_with_the_candidates_of_a_subtree(cast, candidate):
    (found,) = candidates_under(cast.committee_a.path)
    assert (found.person_id, found.name, found.org_id) == (candidate.pk, "钱进", cast.branch_a1.pk)
    assert candidates_under(cast.committee_b.path) == []


def test_an_assignment_to_candidates_lists_them_apart_and_reaches_no_member(cast, candidate):
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "入党教育", "党章党规", 300)
    )
    a = svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1), candidates=True),
    )
    assert a.candidates and not svc.audience(a).exists()
    assert [c.name for c in svc.candidate_audience(a)] == ["钱进"]
    # Both: the secretaries and the candidates.
    both = svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(
            video, cast.committee_a, "required", dt.date(2099, 1, 1), titles=["secretary"], candidates=True
        ),
    )
    assert list(svc.audience(both)) == [] and len(svc.candidate_audience(both)) == 1
    # Becoming a 预备党员 mid-campaign: no longer a 发展对象.
    Person.objects.filter(pk=candidate.pk).update(stage=Stage.PROBATIONARY)
    assert svc.candidate_audience(a) == []


def test_l05_candidates_need_24_hours_or_3_days_and_members_keep_their_post_s_requirement(cast, candidate):
    (row,) = candidate_rows(cast.committee_a)
    assert row.requirement == rules().candidate_hours == Decimal("24") and not row.met
    with time_machine.travel(NOW):
        dev.record_training(
            actor=cast.secretary,
            person=candidate,
            until=TRAINED,
            days=None,
            hours=Decimal("24"),
            backdate_reason=WHY,
        )
    (row,) = candidate_rows(cast.committee_a)
    assert row.met and row.hours == Decimal("24")
    requirements = {r.requirement for r in account_rows(Member.objects.filter(org=cast.branch_a1), 2026)}
    assert requirements == {rules().general_hours}


def test_the_assignment_page_and_the_ledger_show_candidates_with_export(client, cast, candidate):
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "入党教育", "党章党规", 300)
    )
    a = svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1), candidates=True),
    )
    client.force_login(cast.committee_admin)
    page = client.get(reverse("learning:assignment_detail", args=[a.pk])).content.decode()
    assert "发展对象（1 人）" in page and "钱进" in page and "不能在线计时观看" in page
    ledger = client.get(reverse("learning:hours"), {"org": cast.committee_a.pk}).content.decode()
    assert "发展对象集中培训（1 人）" in ledger and "未达标" in ledger
    export = client.get(
        reverse("learning:hours"), {"org": cast.committee_a.pk, "only": "candidates", "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][1] == "钱进" and rows[2][-1] == "否"


def test_the_assign_form_takes_the_candidates_box(client, cast, candidate):
    video = svc.publish_video(
        actor=cast.committee_admin, data=svc.VideoData(cast.committee_a, "入党教育", "党章党规", 300)
    )
    client.force_login(cast.committee_admin)
    response = client.post(
        reverse("learning:video_assign", args=[video.pk]),
        {"kind": "required", "due_on": "2099-01-01", "candidates": "on"},
    )
    assert response.status_code == 302
    assert video.assignments.get().candidates is True
