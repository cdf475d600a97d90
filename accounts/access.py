"""The one access layer: which subtrees a user may read or write, and scoped fetches.

Outsiders get 404 so existence never leaks; a reader asking to write gets 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.models import NO_TREE_ROLES, WRITE_ROLES

M = TypeVar("M", bound=Model)


def _minimal(paths: set[str]) -> list[str]:
    """Drop paths already covered by an ancestor path in the set."""
    out: list[str] = []
    for p in sorted(paths):
        if not out or not p.startswith(out[-1]):
            out.append(p)
    return out


def grants(user: Any) -> list[tuple[str, str]]:
    """The user's (role, org path) grants: one query, kept on the user object for the request."""
    cached: list[tuple[str, str]] | None = getattr(user, "_grants", None)
    if cached is None:
        cached = list(user.grants.values_list("role", "org__path"))
        user._grants = cached
    return cached


def roles(user: Any) -> set[str]:
    """Every role the user holds, on whatever node (the menu's 三员 entries depend on them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {role for role, _ in grants(user)}


def scope_paths(user: Any, *, write: bool = False) -> list[str] | None:
    """Tree paths the user covers; None means everything (superuser), [] means nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cache_attr = "_scope_write" if write else "_scope_read"
    cached = getattr(user, cache_attr, None)
    if cached is not None:
        return cached
    paths: set[str] = set()
    for role, path in grants(user):
        if role in NO_TREE_ROLES:
            continue
        if write and role not in WRITE_ROLES:
            continue
        paths.add(path)
    result = _minimal(paths)
    setattr(user, cache_attr, result)
    return result


def covers(user: Any, path: str, *, write: bool = False) -> bool:
    paths = scope_paths(user, write=write)
    return paths is None or any(path.startswith(p) for p in paths)


def has_any_scope(user: Any) -> bool:
    return scope_paths(user) != []


def can_write_anywhere(user: Any) -> bool:
    return scope_paths(user, write=True) != []


def get_for_user(qs: QuerySet[M], user: Any, pk: Any, *, write: bool = False) -> M:
    """Fetch one object through its `visible_to` scope: 404 outside scope, 403 for a reader writing."""
    try:
        obj = qs.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("未找到该对象，或您无权访问") from None
    if write and not qs.visible_to(user, write=True).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied("您对该对象只有查看权限")
    return obj


def forget_scope(user: Any) -> None:
    for attr in ("_grants", "_scope_read", "_scope_write"):
        if hasattr(user, attr):
            delattr(user, attr)
