"""The roles a user can hold on a node of the tree (a RoleGrant), and which of them write.

A role granted on a node covers its whole subtree.

三员分立 (separation of duties): system, security and audit administrators are distinct people.
- 系统管理员 (SYSTEM_ADMIN): accounts (create, disable, reset passwords, bulk provisioning). A superuser
  counts as one.
- 安全管理员 (SECURITY_ADMIN): grants and revokes roles on nodes, security settings, unlocking accounts,
  resetting two-factor authentication.
- 审计管理员 (AUDIT_ADMIN): reads the full audit trail (审计员 AUDITOR reads their subtree's part).
These three roles are system-wide whatever node their grant names. One user may not hold the system
administrator role together with the security or audit administrator role (orgs.access.check_separation);
nobody, in any role, can change or delete audit events (database triggers, read-only admin).
"""

from django.db import models


class Role(models.TextChoices):
    DEPT_ADMIN = "dept_admin", "组织部管理员"
    COMMITTEE_ADMIN = "committee_admin", "党(工)委管理员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    BRANCH_ADMIN = "branch_admin", "支部管理员"
    BRANCH_CONTACT = "branch_contact", "组织委员/联系人"
    SCOREKEEPER = "scorekeeper", "计分员"
    OBSERVER = "observer", "观察员"
    PATROL = "patrol", "巡查员"
    INFO_OFFICER = "info_officer", "信息员"
    EDITOR = "editor", "编辑"
    VIEWER = "viewer", "只读查看员"
    AUDITOR = "auditor", "审计员"
    MEMBER = "member", "党员"
    # 三员分立: system-wide roles, whatever node the grant names (see orgs.roles).
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# Roles that may change organizations and members in their subtree; every other role reads only.
WRITE_ROLES = frozenset({Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN})
# A member sees only their own file, not the organization's lists. An observer's reach comes from
# their confirmed assignments (observers.Assignment), which cut across the tree, not from a grant.
NO_TREE_ROLES = frozenset({Role.MEMBER, Role.OBSERVER})
# 三员分立: the three system-wide duties.
DUTY_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Held only by a grant, never implied by being a superuser (a superuser is a 系统管理员, and the
# security and audit duties must be other people's).
GRANT_ONLY_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.AUDITOR})

# The role a current post (orgs.models.Position.Title value) implies on the post's node. Bulk provisioning
# (accounts.services.provisioning) grants it linked to the post (RoleGrant.position); ending or deleting the
# post revokes it. Other posts (副书记, 宣传委员…) imply no role of their own.
POST_ROLES: dict[str, Role] = {
    "secretary": Role.BRANCH_SECRETARY,
    "organization": Role.BRANCH_CONTACT,
    "contact": Role.BRANCH_CONTACT,
}
