"""The demo's 一人一册: the county's study book goes to every cadre through the services, the department's spot
checks are dated after the issue and before today, and the result shows on the cadre's 一人一档."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from learning.demo import BOOK, generate_learning_demo
from learning.models import StudyBook, StudyCheck, StudyRecord
from orgs.models import Position
from points.models import LedgerEntry
from points.tests.conftest import make_catalogue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_issues_a_study_book_to_the_cadres_and_spot_checks_it(client, cast):
    make_catalogue(cast.county)
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    Position.objects.create(
        member=cast.member_b1, org=cast.branch_b1, title="organization", started_on=dt.date(2024, 1, 1)
    )
    stats = generate_learning_demo(7, "tiny", today=TODAY)
    book = StudyBook.objects.get()
    assert (book.org, book.title, book.issued_on) == (cast.county, BOOK, dt.date(2026, 1, 15))
    assert set(StudyRecord.objects.values_list("member__name", flat=True)) == {"李建国", "赵红梅"}
    assert stats.book_records == 2 and stats.book_checks == StudyCheck.objects.count()
    for check in StudyCheck.objects.all():
        assert book.issued_on <= check.checked_on <= TODAY
        assert check.remark or check.passed
    passed = StudyCheck.objects.filter(result__in=["excellent", "pass"])
    assert LedgerEntry.objects.filter(source_type="learning_study_check").count() == passed.count()
    checked = StudyCheck.objects.select_related("record__member").first()
    assert checked is not None, "with seed 7 the department has checked at least one of the two records"
    member = checked.record.member
    client.force_login(cast.dept_admin)
    page = client.get(reverse("points:member_file", args=[member.pk]), {"year": 2026}).content.decode()
    assert BOOK in page and f"{checked.checked_on:%Y-%m-%d}" in page and checked.get_result_display() in page
