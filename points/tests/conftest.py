"""The points cast: the shared county cast plus a published 宿松 catalogue and a scorekeeper on branch_a1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from orgs.roles import Role
from points import defaults
from points.models import Block, Catalogue, PointRule, RuleVersion

D = Decimal
START = dt.date(2026, 1, 1)


def make_catalogue(org: Any, *, effective_from: dt.date = START) -> Catalogue:
    catalogue = Catalogue.objects.create(org=org, name="学习积分制", document=defaults.DOCUMENT)
    version = RuleVersion.objects.create(
        catalogue=catalogue, number=1, effective_from=effective_from, status=RuleVersion.Status.PUBLISHED
    )
    blocks = {
        code: Block.objects.create(version=version, code=code, name=name, cap=cap, order=i)
        for i, (code, name, cap) in enumerate(defaults.BLOCKS)
    }
    PointRule.objects.bulk_create(
        [
            PointRule(version=version, block=blocks[item.block], order=i, **item.rule_fields())
            for i, item in enumerate(defaults.ITEMS)
        ]
    )
    return catalogue


@pytest.fixture
def catalogue(cast: Any) -> Catalogue:
    return make_catalogue(cast.county)


@pytest.fixture
def scorekeeper(cast: Any) -> Any:
    return make_user("scorekeeper", Role.SCOREKEEPER, cast.branch_a1)
