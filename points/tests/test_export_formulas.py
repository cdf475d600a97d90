"""Formula injection (issue 11, item 5): the 约谈名单 and 表扬名单 downloads carry typed text as text.

Downloaded through the 导出 buttons' URLs (?format=xlsx) by the department admin; every cell of every
sheet is checked (orgs/tests/xlsx_checks.py).
"""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from orgs.models import Member
from orgs.tests.xlsx_checks import DDE, FORMULA, MINUS, body, check_no_formula, link
from points.models import LedgerEntry, PointRule
from points.services.ledger import write_entries


def _typed_names(cast):
    Member.objects.filter(pk=cast.member_a1.pk).update(name=FORMULA)
    Member.objects.filter(pk=cast.member_b1.pk).update(name=MINUS)
    cast.branch_a1.name = link("branch")
    cast.branch_a1.save(update_fields=["name"])
    cast.branch_b1.name = DDE
    cast.branch_b1.save(update_fields=["name"])


def _book(member, points):
    rule = PointRule.objects.get(code="micro_lecture")
    entry = LedgerEntry(
        member=member,
        org=member.org,
        rule=rule,
        item_code=rule.code,
        block_code=rule.block.code,
        occurred_on=dt.date(2026, 6, 1),
        points=Decimal(points),
        source_type="test",
        created_at=timezone.now(),
    )
    write_entries([entry])


def test_the_interview_list_writes_typed_formulas_as_text(cast, catalogue):
    _typed_names(cast)  # nobody has points yet: every member is below the pass mark
    response = cast.client(cast.dept_admin).get(
        reverse("points:interviews"), {"year": 2026, "format": "xlsx"}
    )
    check_no_formula(body(response), FORMULA, MINUS, link("branch"), DDE)


def test_the_commendation_list_writes_typed_formulas_as_text(cast, catalogue):
    _typed_names(cast)
    _book(cast.member_a1, "80")
    _book(cast.member_b1, "70")
    response = cast.client(cast.dept_admin).get(
        reverse("points:commendations"), {"year": 2026, "format": "xlsx"}
    )
    check_no_formula(body(response), FORMULA, MINUS, link("branch"), DDE)
