"""Formula injection (issue 11, item 5): the 组织生活台账 and the 月度计划报送 board carry typed text as text.

Downloaded through the export buttons' URLs by the users the existing export tests use; every cell of
every sheet is checked (orgs/tests/xlsx_checks.py).
"""

import datetime as dt

from django.urls import reverse

from orglife.models import MeetingRecord
from orglife.tests.plan_fixtures import at
from orglife.tests.stats_fixtures import make_record
from orgs.tests.xlsx_checks import AT, DDE, FORMULA, MINUS, PLUS, SUM, body, check_no_formula, link

MAR = dt.date(2026, 3, 1)


def test_the_ledger_export_writes_typed_formulas_as_text(cast):
    cast.branch_a1.name = link("branch")
    cast.branch_a1.save(update_fields=["name"])
    cast.group_a1.short_name = link("group")
    cast.group_a1.save(update_fields=["short_name"])
    with at(2026, 3, 28):
        record = make_record(cast.branch_a1, "committee", MAR, present=2, absent=1, topic=FORMULA)
        make_record(cast.branch_a1, "group", MAR, group=cast.group_a1, present=1, topic=MINUS)
        MeetingRecord.objects.filter(pk=record.pk).update(place=DDE, host_name=SUM, recorder_name=AT)
        response = cast.client(cast.secretary).get(
            reverse("orglife:stats_ledger_export", args=[cast.branch_a1.pk, 2026])
        )
    check_no_formula(body(response), FORMULA, DDE, SUM, AT, MINUS, link("group"), titles=(link("branch"),))


def test_the_plan_board_export_writes_typed_formulas_as_text(cast):
    cast.branch_a1.name = link("branch")
    cast.branch_a1.save(update_fields=["name"])
    cast.branch_a2.name = PLUS
    cast.branch_a2.save(update_fields=["name"])
    cast.committee_a.short_name = link("committee")
    cast.committee_a.save(update_fields=["short_name"])
    with at(2026, 11, 10):
        response = cast.client(cast.committee_admin).get(
            reverse("orglife:plan_board_export"), {"month": "2026-12"}
        )
    check_no_formula(body(response), link("branch"), PLUS, link("committee"))
