"""学时 accounts read: each member's hours of a year against their requirement (RULES §7)."""

from learning.selectors.accounts import (
    AccountLine,
    AccountRow,
    CandidateRow,
    account_lines,
    account_rows,
    candidate_rows,
    node_summary,
)

__all__ = [
    "AccountLine",
    "AccountRow",
    "CandidateRow",
    "account_lines",
    "account_rows",
    "candidate_rows",
    "node_summary",
]
