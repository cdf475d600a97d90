"""The points demo: the 宿松 catalogue with two versions and a year of capped entries."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from orgs.models import Member
from points.demo import generate_points_demo
from points.models import Catalogue, Declaration, LedgerEntry


def test_the_demo_builds_a_catalogue_and_plausible_entries(cast):
    stats = generate_points_demo(1, "tiny", today=dt.date(2026, 11, 1))
    catalogue = Catalogue.objects.get()
    assert catalogue.versions.count() == 2
    assert catalogue.version_on(dt.date(2026, 7, 1)).rules.get(code="study_notes").points == Decimal("3")
    assert stats.entries == LedgerEntry.objects.count() > 0
    assert Declaration.objects.count() == stats.declarations > 0
    for member in Member.objects.all():
        by_block = dict(
            LedgerEntry.objects.filter(member=member)
            .values_list("block_code")
            .annotate(s=Sum("points"))
            .order_by()
        )
        assert (
            by_block.get("basic", 0) <= 50
            and by_block.get("task", 0) <= 30
            and by_block.get("reward", 0) <= 20
        )


def test_the_demo_runs_once(cast):
    generate_points_demo(1, "tiny", today=dt.date(2026, 11, 1))
    assert generate_points_demo(1, "tiny", today=dt.date(2026, 11, 1)).entries == 0
