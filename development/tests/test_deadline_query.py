"""The next deadline as a database annotation (with_next_due) is the rules' own (dues_of) for every stage,
month ends included (31 January + 1 month = 28/29 February), and the overview's overdue count uses it."""

import datetime as dt

import time_machine

from development.models import Person
from development.selectors import deadlines
from development.services import pipeline as svc
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW, WHY


def _python(qs):
    out = []
    for person in deadlines.iter_open(qs):
        due = deadlines.next_due(person, person.last_assessed)
        if due is not None:
            out.append((person.pk, due.rule, due.due_on))
    return sorted(out)


@time_machine.travel(NOW)
def test_the_annotation_gives_the_rules_next_deadline_at_every_stage(cast):
    people = [
        f.applicant(cast, applied_on=dt.date(2027, 1, 31)),  # talk due 2027-02-28
        f.applicant(cast, applied_on=dt.date(2027, 12, 31)),  # talk due 2028-01-31 (leap year next)
        f.to_activist(cast, f.applicant(cast)),
        f.to_candidate(cast, f.applicant(cast)),
        f.voted(cast, f.applicant(cast)),
        f.probationary(cast, f.applicant(cast)),
    ]
    activist = people[2]
    svc.add_assessment(
        actor=cast.secretary, person=activist, held_on=dt.date(2027, 8, 31), summary="好", backdate_reason=WHY
    )
    activist.refresh_from_db()
    assert activist.last_assessed_on == dt.date(2027, 8, 31)  # the column the annotation reads
    Person.objects.filter(pk=people[1].pk).update(applied_on=dt.date(2027, 8, 31))
    qs = Person.objects.all()
    mine = sorted(deadlines.next_due_rows(qs))
    assert mine == _python(qs)
    by_pk = {pk: (rule, day) for pk, rule, day in mine}
    assert by_pk[people[0].pk] == ("D-03", dt.date(2027, 2, 28))
    assert by_pk[people[1].pk] == ("D-03", dt.date(2027, 9, 30))
    assert by_pk[activist.pk] == ("D-05", dt.date(2028, 2, 29))
    assert people[3].pk not in by_pk  # a candidate before the vote has no dated duty
    assert by_pk[people[4].pk][0] == "D-13" and by_pk[people[5].pk][0] == "D-16"
    assert deadlines.overdue_count(qs, NOW.date()) == sum(1 for _, _, day in mine if day < NOW.date())
