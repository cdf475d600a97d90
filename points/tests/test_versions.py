"""Every catalogue change is a new version; an entry is scored under the version in force on its date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from points import services
from points.models import PointRule, RuleVersion
from points.selectors import thresholds
from points.tests.helpers import award


@pytest.fixture
def second_version(cast, catalogue):
    draft = services.start_version(
        actor=cast.dept_admin,
        catalogue=catalogue,
        effective_from=dt.date(2026, 7, 1),
        note="撰写学习心得调整为3分",
    )
    rule = draft.rules.get(code="study_notes")
    services.save_rule(actor=cast.dept_admin, version=draft, rule=rule, points=Decimal("3"))
    return services.publish_version(actor=cast.dept_admin, version=draft)


def test_a_new_version_copies_every_block_and_item(cast, catalogue, second_version):
    first = catalogue.versions.get(number=1)
    assert second_version.number == 2
    assert second_version.rules.count() == first.rules.count()
    assert list(second_version.blocks.values_list("code", "cap")) == list(
        first.blocks.values_list("code", "cap")
    )


def test_an_entry_dated_before_the_change_uses_the_old_value(cast, second_version):
    before = award(cast.member_a1, "study_notes", dt.date(2026, 6, 30))
    after = award(cast.member_a1, "study_notes", dt.date(2026, 7, 1))
    assert (before.points, before.rule.version.number) == (Decimal("2"), 1)
    assert (after.points, after.rule.version.number) == (Decimal("3"), 2)


def test_a_draft_is_not_in_force(cast, catalogue):
    draft = services.start_version(
        actor=cast.dept_admin, catalogue=catalogue, effective_from=dt.date(2026, 2, 1)
    )
    services.save_rule(
        actor=cast.dept_admin, version=draft, rule=draft.rules.get(code="study_notes"), points=Decimal("9")
    )
    assert award(cast.member_a1, "study_notes", dt.date(2026, 3, 3)).points == Decimal("2")


def test_a_published_version_cannot_be_edited(cast, catalogue):
    version = catalogue.versions.get()
    with pytest.raises(ValidationError):
        services.save_rule(
            actor=cast.dept_admin, version=version, rule=version.rules.first(), points=Decimal("9")
        )


def test_only_one_draft_at_a_time(cast, catalogue):
    services.start_version(actor=cast.dept_admin, catalogue=catalogue, effective_from=dt.date(2026, 8, 1))
    with pytest.raises(ValidationError):
        services.start_version(actor=cast.dept_admin, catalogue=catalogue, effective_from=dt.date(2026, 9, 1))


@pytest.mark.parametrize("who", ["committee_admin", "secretary", "viewer", "outsider"])
def test_only_the_department_admin_edits_the_catalogue(cast, catalogue, who):
    with pytest.raises(PermissionDenied):
        services.start_version(
            actor=getattr(cast, who), catalogue=catalogue, effective_from=dt.date(2026, 8, 1)
        )


def test_an_item_outside_its_active_dates_scores_nothing(cast, catalogue):
    PointRule.objects.filter(code="study_notes").update(active_to=dt.date(2026, 5, 31))
    assert award(cast.member_a1, "study_notes", dt.date(2026, 6, 1)) is None
    assert award(cast.member_a1, "study_notes", dt.date(2026, 5, 31)).points == Decimal("2")


def test_the_pass_mark_is_a_setting_of_the_version(cast, catalogue):
    RuleVersion.objects.filter(catalogue=catalogue).update(pass_mark=Decimal("55"))
    assert thresholds(cast.branch_a1, dt.date(2026, 12, 31)).pass_mark == Decimal("55")


def test_the_version_in_force_is_read_with_its_blocks_in_one_query(
    cast, catalogue, second_version, django_assert_num_queries
):
    with django_assert_num_queries(1):
        t = thresholds(cast.branch_a1, dt.date(2026, 12, 31))
        blocks = list(t.version.blocks.all())
        assert all(b.version is t.version for b in blocks)
    assert t.version == second_version
    assert [b.code for b in blocks] == list(
        second_version.blocks.order_by("order").values_list("code", flat=True)
    )
    assert t.version.blocks.count() == len(blocks) > 0
    # Before the second version takes effect, the first is the one in force.
    assert thresholds(cast.branch_a1, dt.date(2026, 6, 30)).version.number == 1


def test_a_version_without_blocks_is_still_the_one_in_force(cast, catalogue, django_assert_num_queries):
    version = catalogue.versions.get()
    PointRule.objects.filter(version=version).delete()
    version.blocks.all().delete()
    RuleVersion.objects.filter(pk=version.pk).update(pass_mark=Decimal("58"))
    with django_assert_num_queries(1):
        t = thresholds(cast.branch_a1, dt.date(2026, 12, 31))
        assert list(t.version.blocks.all()) == []
    assert t.version == version and t.pass_mark == Decimal("58")
    catalogue.versions.update(status=RuleVersion.Status.DRAFT)
    with django_assert_num_queries(1):
        assert thresholds(cast.branch_a1, dt.date(2026, 12, 31)).version is None
