"""Who may do what in 信息报送 and 《组工信息》. Every role covers the subtree of the node it is granted on.

| action                                             | roles                                   |
|----------------------------------------------------|-----------------------------------------|
| read articles, issues, quota progress, ranking     | any role with a tree scope (只读查看员 too) |
| write and submit an article for a unit             | 信息员, 组织部管理员, 党(工)委管理员          |
| edit, adopt or return a submitted article          | 编辑, 组织部管理员 (on the article's unit)    |
| compose and publish an issue, set quotas           | 编辑, 组织部管理员 (on the journal's unit)   |
"""

from __future__ import annotations

from orgs.roles import Role

SUBMIT_ROLES = frozenset({Role.INFO_OFFICER, Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN})
EDIT_ROLES = frozenset({Role.EDITOR, Role.DEPT_ADMIN})
ANY_WRITE_ROLES = SUBMIT_ROLES | EDIT_ROLES
