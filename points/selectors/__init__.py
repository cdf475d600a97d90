"""Reads spanning several models, one module per use: annual totals and the lists judged by them
(totals), weekly statistics (weekly), the monthly notice's lines and the quarterly report (reports),
and one member's file (files)."""

from points.selectors.files import (
    BlockLine,
    ItemLine,
    MemberFile,
    current_rules,
    get_member_for_user,
    member_file,
    member_summary,
)
from points.selectors.reports import QuarterRow, month_lines, quarter_report, review_of
from points.selectors.totals import (
    Thresholds,
    annual_totals,
    attach_orgs,
    below_pass,
    below_pass_q,
    block_points,
    block_totals,
    blocks_for,
    commendations,
    eligible,
    is_below_pass,
    ledger_totals,
    thresholds,
    with_year_blocks,
)
from points.selectors.weekly import Weekly, weekly_stats

__all__ = [
    "BlockLine",
    "ItemLine",
    "MemberFile",
    "QuarterRow",
    "Thresholds",
    "Weekly",
    "annual_totals",
    "attach_orgs",
    "below_pass",
    "below_pass_q",
    "block_points",
    "block_totals",
    "blocks_for",
    "commendations",
    "current_rules",
    "eligible",
    "get_member_for_user",
    "is_below_pass",
    "ledger_totals",
    "member_file",
    "member_summary",
    "month_lines",
    "quarter_report",
    "review_of",
    "thresholds",
    "with_year_blocks",
    "weekly_stats",
]
