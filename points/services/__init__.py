"""Every write of the points ledger. Pages, the API, tasks and other apps (orglife) call these."""

from points.services.balances import apply_balances, rebuild_balances
from points.services.catalogue import (
    create_catalogue,
    create_catalogue_from_template,
    delete_rule,
    publish_version,
    save_block,
    save_rule,
    start_version,
    update_version,
)
from points.services.cycles import (
    answer_objection,
    draft_monthly_notices,
    publish_notice,
    raise_objection,
    record_interview,
)
from points.services.declarations import (
    add_declarations,
    confirm_quarter,
    declare,
    reject_declaration,
    resubmit_declaration,
    verify_declaration,
    withdraw_declaration,
)
from points.services.ledger import (
    AutomaticAward,
    RuleBook,
    add_entries,
    award_automatic,
    award_automatic_batch,
    correct_entry,
    reverse_automatic,
    write_entries,
)
from points.services.weekly import compute_weekly_stats, run_weekly_stats

__all__ = [
    "add_declarations",
    "add_entries",
    "AutomaticAward",
    "RuleBook",
    "answer_objection",
    "award_automatic",
    "award_automatic_batch",
    "confirm_quarter",
    "correct_entry",
    "create_catalogue",
    "create_catalogue_from_template",
    "declare",
    "delete_rule",
    "publish_notice",
    "publish_version",
    "raise_objection",
    "record_interview",
    "reject_declaration",
    "resubmit_declaration",
    "reverse_automatic",
    "save_block",
    "save_rule",
    "start_version",
    "update_version",
    "verify_declaration",
    "apply_balances",
    "compute_weekly_stats",
    "draft_monthly_notices",
    "rebuild_balances",
    "run_weekly_stats",
    "withdraw_declaration",
    "write_entries",
]
