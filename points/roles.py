"""Who may do what in the points ledger. Every role covers the subtree of the node it is granted on.

| action                                    | roles                                          |
|-------------------------------------------|------------------------------------------------|
| read lists, ledgers, notices, rankings    | any role with a tree scope (incl. 只读查看员)    |
| declare points                            | the member themself (Role.MEMBER + User.member) |
| verify / reject / record on behalf        | 计分员, 支部书记, 支部管理员                      |
| quarterly review (季度审定), return records | 支部书记, 支部管理员                              |
| publish monthly notice, answer objections,| 组织部/党(工)委管理员, 支部书记, 支部管理员        |
| record interviews (约谈)                   | (accounts.models.WRITE_ROLES)                  |
| edit the rule catalogue                   | 组织部管理员                                     |
| raise an objection to a notice            | a member shown the notice                      |
"""

from __future__ import annotations

from typing import Any

from orgs.paths import minimal_paths
from orgs.roles import WRITE_ROLES, Role

RECORD_ROLES = frozenset({Role.SCOREKEEPER, Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
REVIEW_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
PUBLISH_ROLES = WRITE_ROLES
CATALOGUE_ROLES = frozenset({Role.DEPT_ADMIN})
# Everyone who writes anything in this app, for the `write=True` scope of list pages.
ANY_WRITE_ROLES = RECORD_ROLES | REVIEW_ROLES | PUBLISH_ROLES | CATALOGUE_ROLES


def role_paths(user: Any, roles: frozenset[str]) -> list[str] | None:
    """Tree paths where the user holds one of `roles`; None for a superuser, [] for nobody."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    key = "_points_paths_" + "_".join(sorted(roles))
    cached = getattr(user, key, None)
    if cached is None:
        cached = minimal_paths(
            {path for role, path in user.grants.values_list("role", "org__path") if role in roles}
        )
        setattr(user, key, cached)
    return cached


def holds(user: Any, path: str, roles: frozenset[str]) -> bool:
    paths = role_paths(user, roles)
    return paths is None or any(path.startswith(p) for p in paths)


def holds_anywhere(user: Any, roles: frozenset[str]) -> bool:
    return role_paths(user, roles) != []


def own_member_id(user: Any) -> int | None:
    """The member a Role.MEMBER user is (None for staff-only accounts)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "member_id", None)
