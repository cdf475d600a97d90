"""Machinery for the permission matrix test: URL enumeration, the demo cast, and one request per role.

The matrix itself (accounts/tests/permission_matrix.py) says, for every URL name, how to build its
arguments and which status each of four callers gets: anonymous, an outsider (支部书记 of a branch
outside the scope), the read-only viewer (只读查看员) and the allowed user (a demo account).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from orgs.models import Member, Organization, RoleGrant
from orgs.roles import Role

ROLES = ("anonymous", "outsider", "viewer", "allowed")


def url_patterns() -> dict[str, str]:
    """Every named URL pattern: name (with namespaces) → route."""

    def walk(resolver: URLResolver, prefix: str, ns: str) -> Iterator[tuple[str, str]]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p, prefix + str(p.pattern), inner or "")
            elif isinstance(p, URLPattern):
                name = p.name or f"<unnamed {prefix}{p.pattern}>"
                yield (f"{ns}:{name}" if ns else name), prefix + str(p.pattern)

    return dict(walk(get_resolver(), "", ""))


def _org_lookup(model: type[models.Model], depth: int = 0) -> str | None:
    """The ORM path from a model to an Organization's `path` (org__path, record__org__path, …)."""
    if model is Organization:
        return "path"
    if depth > 3:
        return None
    preferred = sorted(
        (f for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)),
        key=lambda f: f.name not in ("org", "branch", "member", "record", "plan", "version", "notice"),
    )
    for field in preferred:
        target = field.related_model
        if target is Organization:
            return f"{field.name}__path"
        if isinstance(target, type) and target._meta.app_label in (
            "orgs",
            "orglife",
            "points",
            "observers",
            "notifications",
        ):
            inner = _org_lookup(target, depth + 1)
            if inner:
                return f"{field.name}__{inner}"
    return None


@dataclass
class Ctx:
    """The demo data seen by the matrix: objects inside the committee's scope, and the four callers."""

    committee: Organization
    branch: Organization
    member: Member
    year: int
    users: dict[str, User | None]

    def obj(self, label: str, *, anywhere: bool = False, **filters: Any) -> models.Model:
        """The newest object inside the committee (anywhere: e.g. a county-wide catalogue)."""
        model = apps.get_model(label)
        lookup = _org_lookup(model)
        qs = model._default_manager.filter(**filters)
        if lookup and not anywhere:
            qs = qs.filter(**{f"{lookup}__startswith": self.committee.path})
        found = qs.order_by("-pk").first()
        if found is None:
            raise LookupError(f"the demo has no {label} {filters} under {self.committee}")
        return found

    def pk(self, label: str, *, anywhere: bool = False, **filters: Any) -> int:
        return int(self.obj(label, anywhere=anywhere, **filters).pk)  # type: ignore[arg-type]


def build_demo() -> Ctx:
    """The tiny demo with a year of history, plus an outsider outside the committee's scope."""
    call_command("generate_demo", "--scale", "tiny", "--seed", "7", verbosity=0)
    call_command("demo_logins", verbosity=0)
    committee = RoleGrant.objects.get(user__username="admin_committee").org
    secretary_branch = RoleGrant.objects.get(user__username="secretary").org
    outside = (
        Organization.objects.filter(kind="branch")
        .exclude(path__startswith=committee.path)
        .order_by("path")
        .first()
    )
    assert outside is not None, "the demo has no branch outside the committee"
    outsider = User.objects.create_user(
        username="matrix_outsider", password="Xf#Matrix2026", must_change_password=False
    )
    RoleGrant.objects.create(user=outsider, org=outside, role=Role.BRANCH_SECRETARY)
    users: dict[str, User | None] = {"anonymous": None, "outsider": outsider}
    for user in User.objects.all():
        users[user.username] = user
    member = Member.objects.filter(org=secretary_branch).order_by("pk").first()
    assert member is not None
    return Ctx(
        committee=committee, branch=secretary_branch, member=member, year=dt.date.today().year, users=users
    )


def request(ctx: Ctx, who: str, method: str, url: str) -> int:
    client = Client(REMOTE_ADDR="10.250.0.1")
    user = ctx.users[who]
    if user is not None:
        client.force_login(user)
    response = client.post(url, {}) if method == "POST" else client.get(url)
    return response.status_code


def reverse_entry(name: str, kwargs: dict[str, Any]) -> str:
    return reverse(name, kwargs=kwargs or None)
