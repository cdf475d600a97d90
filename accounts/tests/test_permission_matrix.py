"""Every URL pattern is in the permission matrix, and each answers anonymous, outsider, viewer and the
allowed user as the matrix says (accounts/tests/permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.tests import permission_matrix as pm
from accounts.tests.matrix_support import build_demo, request, reverse_entry, url_patterns

REFUSED = {401, 403, 404, 405}


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


def test_every_url_answers_each_caller_as_the_matrix_says(db: Any, settings: Any) -> None:
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/60")
    ctx = build_demo()
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


def test_the_django_admin_is_for_staff_only(db: Any) -> None:
    ctx = build_demo()
    url = reverse("admin:index")
    assert Client().get(url).status_code == 302
    for who in ("outsider", "viewer", "admin_dept"):
        assert request(ctx, who, "GET", url) == 302, who
    assert request(ctx, "admin", "GET", url) == 200
