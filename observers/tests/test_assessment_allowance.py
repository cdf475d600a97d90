"""Annual assessment: the evidence, the proposed grade rule, confirmation and override, the allowance per
grade with per-committee totals (2 优秀 + 3 称职 + 1 不称职 = 3,800 元), export, commendation, access."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from conftest import make_member
from observers.models import AnnualAssessment, BranchRating, Training
from observers.services import assessment as svc
from observers.tests.fixtures_obs import at, confirmed_plan, make_observer, observation
from orgs.tests.api_client import api

YEAR = 2025
H1, H2 = dt.date(2025, 1, 1), dt.date(2025, 7, 1)
TODAY = dt.date(2026, 1, 20)


def worked(cast, observer, *, per_half: int, rating: int | None = 5, trained: bool = True, branch=None):
    """`per_half` submitted, rated observations of `branch` in each half-year of 2025 (assigned both halves)."""
    branch = branch or cast.branch_a1
    for half in (H1, H2):
        confirmed_plan(cast.committee_a, half, [(observer, branch)])
        for n in range(per_half):
            obs = observation(observer, branch, half + dt.timedelta(days=30 + n))
            if rating:
                BranchRating.objects.create(observation=obs, score=rating, rated_by=cast.secretary)
    if trained:
        Training.objects.create(
            observer=observer, held_on=dt.date(2025, 4, 1), title="观察员专题培训", hours=4
        )
    return observer


_n = [0]


def new_observer(cast, committee=None):
    _n[0] += 1
    member = make_member(cast.branch_a2, f"观察员{_n[0]}")
    return make_observer(member, committee or cast.committee_a, "", appointed_on=dt.date(2024, 6, 1))


@pytest.fixture
def six(cast):
    """2 excellent, 3 competent, 1 incompetent by the rule."""
    with at(TODAY):
        cast.six = [
            worked(cast, new_observer(cast), per_half=2),
            worked(cast, new_observer(cast), per_half=3, rating=5),
            worked(cast, new_observer(cast), per_half=1),  # one per half: competent
            worked(cast, new_observer(cast), per_half=2, rating=4),  # rating below 4.5
            worked(cast, new_observer(cast), per_half=2, trained=False),  # no training
            worked(cast, new_observer(cast), per_half=0),  # nothing: incompetent
        ]
    return cast


def test_the_evidence_of_an_observer(six):
    with at(TODAY):
        ev = svc.evidence_for(six.six[0], YEAR)
    assert (
        ev["assigned_branch_halves"],
        ev["forms"],
        ev["observations"],
        ev["ratings"],
        ev["avg_rating"],
        ev["trainings"],
        ev["per_half"],
    ) == (2, 4, 4, 4, 5.0, 1, {"2025-01": 2, "2025-07": 2})


def test_the_proposed_grades_follow_the_rule(six):
    with at(TODAY):
        grades = [svc.proposed_grade(svc.evidence_for(o, YEAR)) for o in six.six]
    assert grades == ["excellent", "excellent", "competent", "competent", "competent", "incompetent"]


def test_a_half_year_without_a_form_is_incompetent(cast):
    with at(TODAY):
        o = new_observer(cast)
        confirmed_plan(cast.committee_a, H1, [(o, cast.branch_a1)])
        confirmed_plan(cast.committee_a, H2, [(o, cast.branch_a1)])
        observation(o, cast.branch_a1, dt.date(2025, 3, 1))
        observation(o, cast.branch_a1, dt.date(2025, 3, 2))
        assert svc.proposed_grade(svc.evidence_for(o, YEAR)) == "incompetent"


def test_a_half_year_still_under_way_is_not_judged_yet(cast):
    with at(dt.date(2025, 9, 1)):
        o = new_observer(cast)
        confirmed_plan(cast.committee_a, H1, [(o, cast.branch_a1)])
        confirmed_plan(cast.committee_a, H2, [(o, cast.branch_a1)])
        observation(o, cast.branch_a1, dt.date(2025, 3, 1))
        ev = svc.evidence_for(o, YEAR)
    assert ev["halves_judged"] == ["2025-01"] and svc.proposed_grade(ev) == "competent"


def test_allowance_totals_2_excellent_3_competent_1_incompetent_is_3800(six, settings):
    settings.OBSERVER_ALLOWANCE_EXCELLENT, settings.OBSERVER_ALLOWANCE_COMPETENT = 1000, 600
    with at(TODAY):
        assert svc.confirm_proposed(actor=six.committee_admin, root=six.committee_a, year=YEAR) == 6
        rows, total = svc.allowance_rows(six.county, YEAR)
    (row,) = rows
    assert (row.committee, row.excellent, row.competent, row.incompetent, row.total) == (
        six.committee_a,
        2,
        3,
        1,
        Decimal(3800),
    )
    assert total == Decimal(3800)
    assert sorted(a.allowance for a in AnnualAssessment.objects.all()) == [0, 600, 600, 600, 1000, 1000]


def test_the_allowance_amounts_come_from_settings(six, settings):
    settings.OBSERVER_ALLOWANCE_EXCELLENT = 1200
    with at(TODAY):
        a = svc.confirm_assessment(actor=six.committee_admin, observer=six.six[0], year=YEAR)
    assert a.allowance == Decimal(1200) and a.commended


def test_excellent_observers_are_flagged_for_commendation(six):
    with at(TODAY):
        svc.confirm_proposed(actor=six.committee_admin, root=six.county, year=YEAR)
        listed = [a.observer for a in svc.commended(six.county, YEAR)]
    assert listed == six.six[:2]


def test_overriding_the_proposed_grade_needs_a_note(six):
    with at(TODAY):
        with pytest.raises(ValidationError) as exc:
            svc.confirm_assessment(
                actor=six.committee_admin, observer=six.six[2], year=YEAR, grade="excellent"
            )
        assert "note" in exc.value.message_dict
        a = svc.confirm_assessment(
            actor=six.committee_admin,
            observer=six.six[2],
            year=YEAR,
            grade="excellent",
            note="牵头完成交叉观察，表现突出",
        )
    assert (a.grade, a.allowance, a.commended, a.evidence["proposed"]) == (
        "excellent",
        1000,
        True,
        "competent",
    )
    assert AuditEvent.objects.filter(target_type="observers.AnnualAssessment", target_id=str(a.pk)).exists()


def test_confirming_again_updates_the_same_assessment(six):
    with at(TODAY):
        svc.confirm_assessment(actor=six.committee_admin, observer=six.six[5], year=YEAR)
        svc.confirm_assessment(
            actor=six.committee_admin,
            observer=six.six[5],
            year=YEAR,
            grade="competent",
            note="因病请假，酌情评定",
        )
    assert AnnualAssessment.objects.get(observer=six.six[5], year=YEAR).grade == "competent"


def test_only_the_committee_or_department_assesses(six):
    with at(TODAY):
        for user in (six.viewer, six.secretary, six.outsider):
            with pytest.raises(PermissionDenied):
                svc.confirm_assessment(actor=user, observer=six.six[0], year=YEAR)
        svc.confirm_assessment(actor=six.dept_admin, observer=six.six[0], year=YEAR)


def test_the_export_lists_every_observer_with_subtotals_and_is_audited(six):
    with at(TODAY):
        svc.confirm_proposed(actor=six.committee_admin, root=six.committee_a, year=YEAR)
        data = svc.export_allowance(actor=six.dept_admin, root=six.county, year=YEAR)
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:5] == ("党(工)委", "观察员", "聘书编号", "考核等次", "工作津贴（元）")
    assert len(rows) == 2 + 6 + 2  # title, header, observers, subtotal, total
    assert rows[-1][0] == "合计" and rows[-1][4] == 3800
    assert AuditEvent.objects.filter(action="export", summary__what="observer_allowance").exists()


# ---------------------------------------------------------------- pages and API, four ways


def test_assessment_pages_four_ways(six):
    with at(TODAY):
        svc.confirm_proposed(actor=six.committee_admin, root=six.committee_a, year=YEAR)
        for name in ("observers:assessment_list", "observers:assessment_allowance"):
            url = reverse(name) + f"?year={YEAR}"
            for user in (six.committee_admin, six.dept_admin, six.viewer):
                assert six.client(user).get(url).status_code == 200, (name, user)
            assert six.client(six.outsider).get(url + f"&org={six.committee_a.pk}").status_code == 404
            assert six.client(None).get(url).status_code == 302
        page = six.client(six.committee_admin).get(
            reverse("observers:assessment_allowance") + f"?year={YEAR}"
        )
        assert page.context["total"] == Decimal(3800)
        export = six.client(six.viewer).get(
            reverse("observers:assessment_allowance_export") + f"?year={YEAR}"
        )
        assert export.status_code == 200 and export["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        )


def test_confirming_through_the_page(six):
    url = reverse("observers:assessment_confirm", args=[six.six[3].pk])
    body = {"year": YEAR, "grade": "excellent", "note": "支部评价虽略低，但发现问题多"}
    with at(TODAY):
        assert six.client(six.viewer).post(url, body).status_code == 403
        assert six.client(six.outsider).post(url, body).status_code == 404
        assert six.client(None).post(url, body).status_code == 302
        assert six.client(six.committee_admin).post(url, body).status_code == 302
    assert AnnualAssessment.objects.get(observer=six.six[3]).grade == "excellent"


def test_api_proposals_and_confirm(six):
    with at(TODAY):
        proposals = api(six.committee_admin).get(f"/api/v1/observers/assessments/proposals/?year={YEAR}")
        assert [p["proposed"] for p in proposals.json()] == [
            "excellent",
            "excellent",
            "competent",
            "competent",
            "competent",
            "incompetent",
        ]
        body = {"observer": six.six[5].pk, "year": YEAR}
        assert (
            api(six.viewer).post("/api/v1/observers/assessments/confirm/", body, format="json").status_code
            == 403
        )
        assert (
            api(six.outsider).post("/api/v1/observers/assessments/confirm/", body, format="json").status_code
            == 404
        )
        assert (
            api(None).post("/api/v1/observers/assessments/confirm/", body, format="json").status_code == 401
        )
        done = api(six.committee_admin).post("/api/v1/observers/assessments/confirm/", body, format="json")
        assert (
            done.status_code == 200
            and done.json()["grade"] == "incompetent"
            and done.json()["allowance"] == "0.00"
        )
        listed = api(six.viewer).get(f"/api/v1/observers/assessments/?year={YEAR}")
    assert [a["observer"] for a in listed.json()["results"]] == [six.six[5].pk]
