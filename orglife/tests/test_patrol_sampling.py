"""巡查抽样: stratified by committee, reused photos first, deterministic, never duplicated."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from orglife.models import PatrolCheck, RuleSet
from orglife.services.patrol import draw_sample, strata_roots
from orglife.tests.stats_fixtures import make_record, patrol_user

MAR = dt.date(2026, 3, 1)


@pytest.fixture
def records(cast):
    """Twelve approved records in committee A, one in committee B, one draft; sample size 3."""
    RuleSet.objects.update(patrol_sample_size=3)
    out = [
        make_record(cast.branch_a1 if i % 2 else cast.branch_a2, "theme_day", MAR, refresh=False)
        for i in range(12)
    ]
    out.append(make_record(cast.branch_b1, "theme_day", MAR, refresh=False))
    make_record(cast.branch_b1, "committee", MAR, status="draft", refresh=False)
    return out


def sampled(month=MAR):
    return set(PatrolCheck.objects.filter(month=month).values_list("record_id", flat=True))


def test_every_committee_is_covered_whatever_the_seed(cast, records):
    lone_b = records[-1]
    for seed in range(20):
        PatrolCheck.objects.all().delete()
        draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=seed)
        ids = sampled()
        assert len(ids) == 3
        assert lone_b.pk in ids
        assert any(r.pk in ids for r in records[:12])


def test_the_strata_are_the_committees_under_the_root_or_the_committee_itself(cast):
    assert strata_roots(cast.county) == [cast.committee_a, cast.committee_b]
    assert strata_roots(cast.committee_a) == [cast.committee_a]


def test_only_approved_records_of_the_month_are_sampled(cast, records):
    make_record(cast.branch_a1, "theme_day", dt.date(2026, 2, 1), refresh=False)
    RuleSet.objects.update(patrol_sample_size=100)
    draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR)
    assert sampled() == {r.pk for r in records}


def test_records_with_reused_photos_are_always_taken_first(cast, records):
    flagged = [
        make_record(cast.branch_a2, "committee", MAR, photo_reused=True, refresh=False) for _ in range(4)
    ]
    for seed in range(5):
        PatrolCheck.objects.all().delete()
        draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=seed)
        ids = sampled()
        assert {f.pk for f in flagged} <= ids  # even beyond the sample size
        assert records[-1].pk in ids  # and committee B is still covered


def test_the_same_seed_gives_the_same_sample(cast, records):
    draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=7)
    first = sampled()
    PatrolCheck.objects.all().delete()
    draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=7)
    assert sampled() == first
    PatrolCheck.objects.all().delete()
    draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR)  # no seed: fixed by root and month
    default = sampled()
    PatrolCheck.objects.all().delete()
    draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR)
    assert sampled() == default


def test_drawing_again_adds_no_duplicates(cast, records):
    assert len(draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=1)) == 3
    assert draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=2) == []
    RuleSet.objects.update(patrol_sample_size=6)
    added = draw_sample(actor=cast.dept_admin, root=cast.county, month=MAR, seed=3)
    assert len(added) == 3
    rows = PatrolCheck.objects.filter(month=MAR)
    assert rows.count() == len(set(rows.values_list("record_id", flat=True))) == 6
    assert AuditEvent.objects.filter(summary__what="patrol_sample").count() == 3


def test_a_patrol_inspector_samples_only_inside_their_subtree(cast, records):
    inspector = patrol_user(cast)
    created = draw_sample(actor=inspector, root=cast.committee_a, month=MAR)
    assert {c.org_id for c in created} <= {cast.branch_a1.pk, cast.branch_a2.pk}
    with pytest.raises(PermissionDenied):
        draw_sample(actor=inspector, root=cast.county, month=MAR)
    with pytest.raises(PermissionDenied):
        draw_sample(actor=cast.viewer, root=cast.committee_a, month=MAR)
    with pytest.raises(PermissionDenied):
        draw_sample(actor=cast.secretary, root=cast.branch_a1, month=MAR)
