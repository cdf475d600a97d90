"""Every URL pattern is in the permission matrix, and each answers anonymous, outsider, viewer and the
allowed user as the matrix says (accounts/tests/permission_matrix.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests import permission_matrix as pm
from accounts.tests.matrix_support import Ctx, build_demo, request, reverse_entry, url_patterns
from conftest import shared_data

REFUSED = {401, 403, 404, 405}

# Both tests below read the same demo: under pytest-xdist (`--dist loadgroup`) they run on one worker, so
# the demo (minutes on PostgreSQL) is built once.
pytestmark = pytest.mark.xdist_group("permission_matrix_demo")


@pytest.fixture(scope="module")
def _module_demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Ctx, str]]:
    """The tiny demo, built once for this module's tests and rolled back at its end (conftest.shared_data)."""
    yield from shared_data(django_db_blocker, tmp_path_factory, build_demo)


@pytest.fixture
def demo(_module_demo: tuple[Ctx, str], db: Any, settings: Any) -> Ctx:
    ctx, checkpoint = _module_demo
    settings.XIANFENG_AUDIT_CHECKPOINT = checkpoint  # the demo's chain head was checkpointed there
    return ctx


def test_every_url_has_a_matrix_entry() -> None:
    names = [n for n in url_patterns() if not n.startswith(pm.ADMIN_ONLY)]
    missing = sorted(n for n in names if n not in pm.MATRIX)
    assert missing == [], (
        "these URL names have no entry in accounts/tests/permission_matrix.py (add them to MATRIX, and to "
        "KWARGS if they take arguments; scripts/permission_matrix_skeleton.py prints a draft):\n  "
        + "\n  ".join(missing)
    )
    stale = sorted(set(pm.MATRIX) - set(names))
    assert stale == [], f"matrix entries for URLs that no longer exist: {stale}"
    args_without_builder = sorted(
        n
        for n, route in url_patterns().items()
        if n in pm.MATRIX and ("<" in route or "(?P" in route) and n not in pm.KWARGS
    )
    assert args_without_builder == [], f"URLs with arguments need a KWARGS builder: {args_without_builder}"


def test_every_url_answers_each_caller_as_the_matrix_says(demo: Ctx, settings: Any) -> None:
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/60")
    ctx = demo
    wrong = []
    for name, entry in pm.MATRIX.items():
        url = reverse_entry(name, pm.KWARGS.get(name, pm.none)(ctx))
        expected = {
            "anonymous": entry.anonymous,
            "outsider": entry.outsider,
            "viewer": entry.viewer,
            entry.user: entry.allowed,
        }
        got = {who: request(ctx, who, entry.method, url) for who in expected}
        if entry.allowed not in REFUSED and got[entry.user] not in REFUSED | {500}:
            got[entry.user] = entry.allowed  # allowed: any answer but a refusal (a state may have moved on)
        if got != expected:
            wrong.append(f"{name} {entry.method} {url}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_the_django_admin_is_for_staff_only(demo: Ctx) -> None:
    ctx = demo
    url = reverse("admin:index")
    assert Client().get(url).status_code == 302
    for who in ("outsider", "viewer", "admin_dept"):
        assert request(ctx, who, "GET", url) == 302, who
    assert request(ctx, "admin", "GET", url) == 200
