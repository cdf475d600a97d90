"""The official template (points.defaults) with its source, and a catalogue created from it."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from points import defaults, services
from points.models import Catalogue, RuleVersion


def test_the_template_names_its_source_and_the_50_30_20_boards():
    assert "安庆组工信息" in defaults.SOURCE and "宿松" in defaults.SOURCE
    assert [(code, cap) for code, _, cap in defaults.BLOCKS] == [
        ("basic", Decimal("50")),
        ("task", Decimal("30")),
        ("reward", Decimal("20")),
    ]
    assert Decimal("60") == defaults.PASS_MARK
    assert RuleVersion._meta.get_field("pass_mark").default == defaults.PASS_MARK


def test_a_catalogue_created_from_the_template_carries_its_boards_and_items(cast):
    catalogue = services.create_catalogue_from_template(
        actor=cast.dept_admin,
        org=cast.county,
        name="学习积分制",
        document=defaults.DOCUMENT,
        effective_from=dt.date(2026, 1, 1),
    )
    version = catalogue.versions.get()
    assert version.is_draft and version.pass_mark == defaults.PASS_MARK
    assert [b.cap for b in version.blocks.all()] == [cap for _, _, cap in defaults.BLOCKS]
    rules = {r.code: r for r in version.rules.select_related("block")}
    assert list(rules) == [item.code for item in defaults.ITEMS]
    journal = rules["journal_article"]
    assert journal.commendable and journal.block.code == "reward" and journal.points == Decimal("5")


def test_a_department_admin_creates_a_catalogue_from_the_template_on_the_page(cast):
    data = {
        "org": cast.county.pk,
        "name": "学习积分制",
        "document": defaults.DOCUMENT,
        "effective_from": "2026-01-01",
        "template": "on",
    }
    response = cast.client(cast.dept_admin).post(reverse("points:catalogue_create"), data)
    assert response.status_code == 302
    assert Catalogue.objects.get().versions.get().rules.count() == len(defaults.ITEMS)


def test_without_the_template_the_first_draft_is_empty(cast):
    catalogue = services.create_catalogue(
        actor=cast.dept_admin, org=cast.county, name="x", document="y", effective_from=dt.date(2026, 1, 1)
    )
    version = catalogue.versions.get()
    assert not version.blocks.exists() and not version.rules.exists()
