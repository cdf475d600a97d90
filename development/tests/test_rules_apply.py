"""D-02 (where to apply: the branch receives the application) and D-21 (U: under 28, 团员推优 expected)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from development.models import Person
from development.services import pipeline as svc
from development.tests.fixtures_dev import APPLIED, NOW, WHY
from personal import idcard


def _apply(cast, org, *, birth=dt.date(2000, 3, 1), league=True, seq=901):
    return svc.register_application(
        actor=cast.dept_admin,
        org=org,
        name="吴青",
        id_number=idcard.make("340101", birth, seq),
        applied_on=APPLIED,
        is_league_member=league,
        backdate_reason=WHY,
    )


@time_machine.travel(NOW)
def test_d02_the_application_goes_to_a_branch_not_a_committee(cast):
    with pytest.raises(ValidationError, match="D-02：.*党支部.*《发展党员工作细则》第六条"):
        _apply(cast, cast.committee_a)
    assert not Person.objects.exists()
    person, _ = _apply(cast, cast.branch_a1)
    assert person.org == cast.branch_a1


@time_machine.travel(NOW)
@pytest.mark.parametrize(
    ("birth", "league", "warned"),
    [
        (dt.date(1997, 9, 2), False, True),  # 27 on the application date (28 the day after)
        (dt.date(1997, 9, 1), False, False),  # 28 that very day
        (dt.date(2000, 3, 1), True, False),  # a 共青团员 recommended by the League
    ],
)
def test_d21_under_28_without_the_league_warns_and_is_kept(cast, birth, league, warned):
    person, warnings = _apply(cast, cast.branch_a1, birth=birth, league=league)
    assert Person.objects.filter(pk=person.pk).exists()
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].startswith("D-21：")
