"""Who may do what in the points ledger. Every role covers the subtree of the node it is granted on.

The checks themselves are orgs.access's (holds, role_paths, scope_q); this module only names the sets.

| action                                    | roles                                          |
|-------------------------------------------|------------------------------------------------|
| read lists, ledgers, notices, rankings    | any role with a tree scope (incl. 只读查看员)    |
| declare points                            | the member themself (Role.MEMBER + User.member) |
| verify / reject / record on behalf        | 计分员, 支部书记, 支部管理员                      |
| quarterly review (季度审定), return records | 支部书记, 支部管理员                              |
| publish monthly notice, answer objections,| 组织部/党(工)委管理员, 支部书记, 支部管理员        |
| record interviews (约谈)                   | (orgs.roles.WRITE_ROLES)                       |
| edit the rule catalogue                   | 组织部管理员                                     |
| raise an objection to a notice            | a member shown the notice                      |
"""

from __future__ import annotations

from orgs.roles import WRITE_ROLES, Role

RECORD_ROLES = frozenset({Role.SCOREKEEPER, Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
REVIEW_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
PUBLISH_ROLES = WRITE_ROLES
CATALOGUE_ROLES = frozenset({Role.DEPT_ADMIN})
# Everyone who writes anything in this app, for the `write=True` scope of list pages.
ANY_WRITE_ROLES = RECORD_ROLES | REVIEW_ROLES | PUBLISH_ROLES | CATALOGUE_ROLES
