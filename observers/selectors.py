"""Reads of the observers app that span models: the observer an account is, the organization a committee
page opens on, the committees a user sees or writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from observers.models import Observer
from orgs import reference
from orgs.access import NOT_FOUND, get_for_user, require_tree, scope_paths
from orgs.models import Organization


def observer_for(user: User) -> Observer:
    """The observer this account is. The observer's pages and API answer only them: 404 for anyone else."""
    observer = None
    if getattr(user, "is_authenticated", False) and user.is_active:
        observer = Observer.objects.filter(user=user).select_related("committee", "member").first()
    if observer is None:
        raise Http404("您不是组织生活观察员")
    return observer


def root_for(user: User, org_id: Any = None, *, write: bool = False) -> Organization:
    """The organization a committee page or list opens on: the one asked for (404 outside the user's
    subtrees), else the first top of them. With `write`, a reader of that organization gets 403."""
    require_tree(user)
    if org_id:
        return get_for_user(Organization.objects.all(), user, org_id, write=write)
    # The tree is reference data, kept in the process's memory while current (orgs.reference).
    paths = scope_paths(user)
    root = reference.remember(
        ("observers.root_for", None if paths is None else tuple(sorted(paths))),
        lambda: Organization.objects.roots_for(user).first(),
    )
    if root is None:
        raise Http404(NOT_FOUND)
    if write:
        get_for_user(Organization.objects.all(), user, root.pk, write=True)
    return root


def writable_committees(user: User) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user, write=True).filter(
        kind__in=Organization.COMMITTEE_KINDS, is_active=True
    )


def visible_committees(user: User) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user).filter(kind__in=Organization.COMMITTEE_KINDS, is_active=True)
