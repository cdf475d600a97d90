"""The one access layer: which subtrees a user may read or write, who holds which role where, and
scoped fetches. Every app's models and views use these; none writes its own.

Outsiders get 404 so existence never leaks; a reader asking to write gets 403. A role granted on a
node covers its subtree. A superuser covers every node and holds every role except the security and
audit duties (orgs.roles.GRANT_ONLY_ROLES), which only a grant gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from orgs.paths import minimal_paths, subtree_q
from orgs.roles import GRANT_ONLY_ROLES, NO_TREE_ROLES, WRITE_ROLES, Role

M = TypeVar("M", bound=Model)


class Actor(Protocol):
    """Whoever acts: a logged-in user (accounts.User, which sits above this floor), anonymous, or a
    stand-in in a command. The floor reads only these and the user's grants (RoleGrant.user)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


NOT_FOUND = "未找到该对象，或您无权访问"


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def grants(user: Any) -> list[tuple[str, str]]:
    """The user's (role, org path) grants: one query, kept on the user object for the request."""
    cached: list[tuple[str, str]] | None = getattr(user, "_grants", None)
    if cached is None:
        cached = list(user.grants.values_list("role", "org__path")) if _active(user) else []
        user._grants = cached
    return cached


def roles(user: Any) -> set[str]:
    """Every role the user holds, on whatever node (the menu's 三员 entries depend on them)."""
    if not _active(user):
        return set()
    return {role for role, _ in grants(user)}


def role_paths(user: Any, wanted: Iterable[str]) -> list[str] | None:
    """Tree paths where the user holds one of `wanted`; None for everything (a superuser), [] for nowhere.

    Kept on the user object for the request, by role set (the sets are module constants, so the look-up
    is one dict hit after the first call).
    """
    if not _active(user):
        return []
    wanted = wanted if isinstance(wanted, frozenset) else frozenset(wanted)
    cache: dict[frozenset[str], list[str] | None] | None = getattr(user, "_role_paths", None)
    if cache is None:
        cache = user._role_paths = {}
    elif wanted in cache:
        return cache[wanted]
    if user.is_superuser and wanted - GRANT_ONLY_ROLES:
        result = None
    else:
        result = minimal_paths(path for role, path in grants(user) if role in wanted)
    cache[wanted] = result
    return result


def holds(user: Any, wanted: Iterable[str], path: str | None = None) -> bool:
    """The user holds one of `wanted` on the node at `path` or an ancestor of it (anywhere when None)."""
    paths = role_paths(user, wanted)
    if paths is None:
        return True
    if path is None:
        return paths != []
    return any(path.startswith(p) for p in paths)


TREE_ROLES = frozenset(Role) - NO_TREE_ROLES


def scope_paths(user: Any, *, write: bool = False) -> list[str] | None:
    """Tree paths the user covers; None means everything (superuser), [] means nothing."""
    return role_paths(user, WRITE_ROLES if write else TREE_ROLES)


def covers(user: Any, path: str, *, write: bool = False) -> bool:
    return holds(user, WRITE_ROLES if write else TREE_ROLES, path)


def has_any_scope(user: Any) -> bool:
    return scope_paths(user) != []


def can_write_anywhere(user: Any) -> bool:
    return scope_paths(user, write=True) != []


def require_tree(user: Any) -> None:
    """Tree pages (organizations, members, records…) exist only for users with a role on some subtree."""
    if not has_any_scope(user):
        raise Http404("未找到页面")


def require_writer(user: Any) -> None:
    require_tree(user)
    if not can_write_anywhere(user):
        raise PermissionDenied("您只有查看权限")


def own_member_id(user: Any) -> int | None:
    """The party member this account is (None for staff-only accounts and visitors)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "member_id", None)


def scope_q(
    user: Any, field: str, *, wanted: Iterable[str] | None = None, write: bool = False, own: str | None = None
) -> Q | None:
    """Rows whose `field` path lies in the user's scope (or where they hold `wanted`), plus, with `own`,
    the rows whose `own` field is the user's own member. None means every row."""
    paths = role_paths(user, wanted) if wanted is not None else scope_paths(user, write=write)
    if paths is None:
        return None
    q = subtree_q(paths, field)
    member = own_member_id(user) if own else None
    if own and member:
        q |= Q(**{own: member})
    return q


class ScopedQuerySet(QuerySet[M]):
    """Rows scoped through the tree path named by `scope_field` (e.g. "org__path")."""

    scope_field = "org__path"

    def visible_to(self, user: Any, *, write: bool = False) -> Self:
        q = scope_q(user, self.scope_field, write=write)
        return self if q is None else self.filter(q)


def get_for_user(qs: QuerySet[M], user: Any, pk: Any, *, write: bool = False) -> M:
    """Fetch one object through its `visible_to` scope: 404 outside scope, 403 for a reader writing."""
    try:
        obj = qs.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not qs.visible_to(user, write=True).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied("您对该对象只有查看权限")
    return obj


def root_paths(user: Any, *, write: bool = False) -> list[str] | None:
    """The tops of the user's subtrees (None: the whole tree), the nodes their pages open on."""
    return scope_paths(user, write=write)


def forget_scope(user: Any) -> None:
    """Drop what grants() and role_paths() kept on the user object (after a grant changes)."""
    for attr in ("_grants", "_role_paths"):
        if attr in vars(user):
            delattr(user, attr)


def is_security_admin(user: Any) -> bool:
    return holds(user, {Role.SECURITY_ADMIN})


def is_audit_admin(user: Any) -> bool:
    return holds(user, {Role.AUDIT_ADMIN})


_EXCLUSIVE_WITH_SYSTEM = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
CONFLICT_MESSAGE = "三员分立：系统管理员不能同时担任安全管理员或审计管理员"


def check_separation(user: Any, role: str, *, is_superuser: bool | None = None) -> None:
    """Raise ValidationError when granting `role` to `user` would join conflicting duties."""
    if user is None or user.pk is None:
        return
    held = set(user.grants.values_list("role", flat=True))
    superuser = user.is_superuser if is_superuser is None else is_superuser
    is_system = superuser or Role.SYSTEM_ADMIN in held or role == Role.SYSTEM_ADMIN
    wants_other = role in _EXCLUSIVE_WITH_SYSTEM or bool(held & _EXCLUSIVE_WITH_SYSTEM)
    if is_system and wants_other:
        raise ValidationError(CONFLICT_MESSAGE, code="separation_of_duties")
