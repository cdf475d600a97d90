"""Who may do what with the question bank and quizzes. Every role covers the subtree of its node.

| action                                             | roles                                  |
|----------------------------------------------------|----------------------------------------|
| read the bank, campaigns, results, item statistics | any role with a tree scope (只读查看员)   |
| edit the bank, import, set up and void campaigns   | 组织部管理员, 党(工)委管理员, 编辑          |
| take a quiz, daily practice                        | the member themself (User.member)      |
"""

from __future__ import annotations

from orgs.roles import Role

BANK_ROLES = frozenset({Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, Role.EDITOR})
