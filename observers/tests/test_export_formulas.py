"""Formula injection (issue 11, item 5): the 观察员信息台账 and the 津贴发放表 carry typed text as text.

Downloaded through the export buttons' URLs by the users the existing export tests use; every cell of
every sheet is checked (orgs/tests/xlsx_checks.py).
"""

import datetime as dt

from django.urls import reverse

from conftest import make_member
from observers.models import Observer
from observers.services.assessment import confirm_assessment
from observers.services.roster import change_status
from observers.tests.fixtures_obs import at, make_observer
from observers.tests.selection_fixtures import observer
from orgs.tests.xlsx_checks import AT, DDE, FORMULA, MINUS, PLUS, SUM, body, check_no_formula, link


def test_the_observer_roster_export_writes_typed_formulas_as_text(cast):
    cast.branch_a1.name = link("branch")
    cast.branch_a1.save(update_fields=["name"])
    cast.committee_a.name = link("committee")
    cast.committee_a.save(update_fields=["name"])
    o = observer(cast, make_member(cast.branch_a1, FORMULA), day=dt.date(2025, 3, 1))
    Observer.objects.filter(pk=o.pk).update(letter_number=MINUS, card_number=PLUS)
    o.refresh_from_db()
    change_status(actor=cast.committee_admin, observer=o, status=Observer.Status.SUSPENDED, note=DDE)
    response = cast.client(cast.committee_admin).get(reverse("observers:observer_export"))
    check_no_formula(body(response), FORMULA, link("branch"), link("committee"), MINUS, PLUS, DDE)


def test_the_allowance_export_writes_typed_formulas_as_text(cast):
    cast.county.short_name = link("county")
    cast.county.save(update_fields=["short_name"])
    cast.committee_a.short_name = link("committee")
    cast.committee_a.save(update_fields=["short_name"])
    member = make_member(cast.branch_a2, FORMULA)
    o = make_observer(member, cast.committee_a, "", appointed_on=dt.date(2024, 6, 1))
    Observer.objects.filter(pk=o.pk).update(letter_number=SUM)
    o.refresh_from_db()
    with at(dt.date(2026, 1, 20)):
        confirm_assessment(actor=cast.committee_admin, observer=o, year=2025, grade="competent", note=AT)
        response = cast.client(cast.dept_admin).get(
            reverse("observers:assessment_allowance_export"), {"org": cast.county.pk, "year": 2025}
        )
    check_no_formula(
        body(response),
        FORMULA,
        SUM,
        AT,
        link("committee"),
        titles=(link("county"), f"{link('committee')} 小计"),
    )
