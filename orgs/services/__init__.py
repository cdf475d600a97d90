"""Every write of the tree, its members and their posts. Pages, the API, imports, the demo and commands
call these: `tree` (organizations), `members` (members and posts), `roster` (the roster file's import and
export)."""

from orgs.services.members import (
    MEMBER_AUDIT_FIELDS,
    MEMBER_PLAIN_FIELDS,
    MemberData,
    add_members,
    add_position,
    add_positions,
    apply_member_data,
    create_member,
    end_position,
    reveal_member_personal_data,
    revoke_post_grants,
    update_member,
    validate_member,
)
from orgs.services.tree import (
    ORG_AUDIT_FIELDS,
    ORG_UNIT_FIELDS,
    add_organizations,
    create_organization,
    require_write,
    require_write_all,
    update_organization,
)

__all__ = [
    "MEMBER_AUDIT_FIELDS",
    "MEMBER_PLAIN_FIELDS",
    "ORG_AUDIT_FIELDS",
    "ORG_UNIT_FIELDS",
    "MemberData",
    "add_members",
    "add_organizations",
    "add_position",
    "add_positions",
    "apply_member_data",
    "create_member",
    "create_organization",
    "end_position",
    "revoke_post_grants",
    "require_write",
    "require_write_all",
    "reveal_member_personal_data",
    "update_member",
    "update_organization",
    "validate_member",
]
