"""The permission matrix: every URL name → how to build its arguments and what each caller gets.

Callers: anonymous, outsider (支部书记 of a branch outside the committee), viewer (the demo's 只读查看员 on
the county) and `allowed` (a demo account that may use the URL: its username is the entry's `user`).
Objects come from the tiny demo inside the demo 党(工)委 (admin_committee's scope): see matrix_support.Ctx.
`method` is how the URL is called (a POST carries no data: the allowed user gets a form error, a redirect
or a refusal of the state change, never 401/403/404). Statuses are what the pages and API answer today;
a change here is a change of who may see what, and needs a reason.

A URL added to the project fails test_every_url_has_a_matrix_entry until it has an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.tests.matrix_support import Ctx

Kwargs = Callable[[Ctx], dict[str, Any]]


def none(c: Ctx) -> dict[str, Any]:
    return {}


def pk_of(label: str, *, anywhere: bool = False, **filters: Any) -> Kwargs:
    return lambda c: {"pk": c.pk(label, anywhere=anywhere, **filters)}


ABSENT = 987654321


def absent(*names: str) -> Kwargs:
    """An object the tiny demo does not create yet: a missing id; only the refusals are checked (404)."""
    return lambda c: dict.fromkeys(names or ("pk",), ABSENT)


def pk_or_absent(label: str) -> Kwargs:
    """An object the demo may create later (observers): its pk if present, else the ABSENT id."""

    def build(c: Ctx) -> dict[str, Any]:
        try:
            return {"pk": c.pk(label, anywhere=True)}
        except LookupError:
            return {"pk": ABSENT}

    return build


def branch(c: Ctx) -> dict[str, Any]:
    return {"pk": c.branch.pk}


def observation(c: Ctx) -> dict[str, Any]:
    """An observation of a branch under the allowed committee (ids differ between databases)."""
    from observers.models import Observation
    from orgs.paths import under_path_q

    found = Observation.objects.filter(under_path_q(c.committee.path, "branch__path")).order_by("id").first()
    assert found is not None, "the tiny demo has observations under the committee"
    return {"pk": found.pk}


def member(c: Ctx) -> dict[str, Any]:
    return {"pk": c.member.pk}


def record_attachment(c: Ctx) -> dict[str, Any]:
    att = c.obj("orglife.RecordAttachment")
    return {"pk": att.record_id, "att": att.pk}  # type: ignore[attr-defined]


def points_rule(c: Ctx) -> dict[str, Any]:
    rule = c.obj("points.PointRule", anywhere=True)
    return {"pk": rule.version_id, "rule_pk": rule.pk}  # type: ignore[attr-defined]


def ledger_year(c: Ctx) -> dict[str, Any]:
    return {"pk": c.branch.pk, "year": c.year}


KWARGS: dict[str, Kwargs] = {
    "accounts:token_revoke": absent(),  # one's own tokens only: accounts/tests/test_api_token_page.py
    "orgs:org_detail": branch,
    "orgs:org_edit": branch,
    "orgs:member_detail": member,
    "orgs:member_edit": member,
    "orgs:member_unmask": member,
    "orgs:position_create": member,
    "orgs:position_end": pk_of("orgs.Position"),
    "orglife:plan_branch": branch,
    "orglife:plan_create": branch,
    "orglife:plan_item_row": branch,
    "orglife:plan_detail": pk_of("orglife.MonthlyPlan"),
    "orglife:plan_edit": pk_of("orglife.MonthlyPlan"),
    "orglife:plan_submit": pk_of("orglife.MonthlyPlan"),
    "orglife:plan_approve": pk_of("orglife.MonthlyPlan"),
    "orglife:plan_return": pk_of("orglife.MonthlyPlan"),
    "orglife:record_detail": pk_of("orglife.MeetingRecord"),
    "orglife:record_edit": pk_of("orglife.MeetingRecord"),
    "orglife:record_amend": pk_of("orglife.MeetingRecord"),
    "orglife:record_submit": pk_of("orglife.MeetingRecord"),
    "orglife:record_approve": pk_of("orglife.MeetingRecord"),
    "orglife:record_return": pk_of("orglife.MeetingRecord"),
    "orglife:record_attachment_add": pk_of("orglife.MeetingRecord"),
    "orglife:record_attachment": record_attachment,
    "orglife:record_attachment_delete": record_attachment,
    "orglife:stats_ledger": ledger_year,
    "orglife:stats_ledger_export": ledger_year,
    "orglife:patrol_check_detail": pk_of("orglife.PatrolCheck"),
    "orglife:patrol_check_rehold": pk_of("orglife.PatrolCheck"),
    "orglife:patrol_check_rectify": pk_of("orglife.PatrolCheck"),
    "orglife:patrol_rect_detail": pk_of("orglife.Rectification"),
    "orglife:patrol_rect_close": pk_of("orglife.Rectification"),
    "orglife:patrol_rect_return": pk_of("orglife.Rectification"),
    "orglife:interview_detail": pk_of("orglife.Interview"),
    "orglife:interview_done": pk_of("orglife.Interview"),
    "orglife:interview_attachment": pk_of("orglife.Interview"),
    "points:declaration_detail": pk_of("points.Declaration"),
    "points:verify": pk_of("points.Declaration"),
    "points:reject": pk_of("points.Declaration"),
    "points:resubmit": pk_of("points.Declaration"),
    "points:evidence": pk_of("points.Declaration"),
    "points:correct": pk_of("points.LedgerEntry"),
    "points:member_file": member,
    "points:member_file_pdf": member,
    "points:interview_create": member,
    "points:review_detail": lambda c: {"branch_pk": c.branch.pk, "year": ABSENT, "quarter": 1},
    "points:notice_detail": absent(),
    "points:objection_create": absent(),
    "points:objection_answer": absent(),
    "points:version_detail": pk_of("points.RuleVersion", anywhere=True),
    "points:version_new": pk_of("points.RuleVersion", anywhere=True),
    "points:version_edit": pk_of("points.RuleVersion", anywhere=True),
    "points:version_publish": pk_of("points.RuleVersion", anywhere=True),
    "points:rule_create": pk_of("points.RuleVersion", anywhere=True),
    "points:rule_edit": points_rule,
    "points:rule_delete": points_rule,
    "notifications:outbox_retry": absent(),
    "observers:observe_signup": lambda c: {"item_pk": c.pk("orglife.PlanItem")},
    "observers:observe_detail": absent(),
    "observers:observe_cancel": absent(),
    "observers:observe_record": pk_of("orglife.MeetingRecord"),
    "observers:observe_branch_detail": observation,
    "observers:assessment_confirm": absent("observer_pk"),
    "api-organization-detail": branch,
    "api-organization-children": branch,
    "api-organization-warnings": branch,
    "api-member-detail": member,
    "api-member-unmask": member,
    "api-plan-detail": pk_of("orglife.MonthlyPlan"),
    "api-plan-approve": pk_of("orglife.MonthlyPlan"),
    "api-plan-return-": pk_of("orglife.MonthlyPlan"),
    "api-plan-submit": pk_of("orglife.MonthlyPlan"),
    "api-ruleset-detail": pk_of("orglife.RuleSet"),
    "api-record-detail": pk_of("orglife.MeetingRecord"),
    "api-record-amend": pk_of("orglife.MeetingRecord"),
    "api-record-approve": pk_of("orglife.MeetingRecord"),
    "api-record-attachment": record_attachment,
    "api-record-return-record": pk_of("orglife.MeetingRecord"),
    "api-record-submit": pk_of("orglife.MeetingRecord"),
    "api-record-upload": pk_of("orglife.MeetingRecord"),
    "api-orglife-patrol-check-detail": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rate": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rectify": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rehold": pk_of("orglife.PatrolCheck"),
    "api-orglife-rectification-detail": pk_of("orglife.Rectification"),
    "api-orglife-rectification-close": pk_of("orglife.Rectification"),
    "api-orglife-rectification-send-back": pk_of("orglife.Rectification"),
    "api-orglife-rectification-submit": pk_of("orglife.Rectification"),
    "api-interview-detail": pk_of("orglife.Interview"),
    "api-interview-attachment": pk_of("orglife.Interview"),
    "api-interview-complete": pk_of("orglife.Interview"),
    "api-points-declaration-detail": pk_of("points.Declaration"),
    "api-points-declaration-reject": pk_of("points.Declaration"),
    "api-points-declaration-resubmit": pk_of("points.Declaration"),
    "api-points-declaration-verify": pk_of("points.Declaration"),
    "api-points-notice-detail": absent(),
    "api-points-notice-objections": absent(),
    "observe-observation-detail": absent(),
    "observe-observation-submit": absent(),
    "points:withdraw": pk_of("points.Declaration"),
    "points:notice_publish": absent(),
    "api-points-declaration-withdraw": pk_of("points.Declaration"),
    "observers:candidate_detail": pk_or_absent("observers.Candidate"),
    "observers:candidate_opinion": pk_or_absent("observers.Candidate"),
    "observers:candidate_appoint": pk_or_absent("observers.Candidate"),
    "observers:observer_letter_pdf": pk_or_absent("observers.Observer"),
    "observers:observer_card_pdf": pk_or_absent("observers.Observer"),
    "observers:observer_detail": pk_or_absent("observers.Observer"),
    "observers:observer_status": pk_or_absent("observers.Observer"),
    "observers:observer_training": pk_or_absent("observers.Observer"),
    "observers:observer_updated": pk_or_absent("observers.Observer"),
    "observers:plan_detail": pk_or_absent("observers.AssignmentPlan"),
    "observers:plan_move": pk_or_absent("observers.AssignmentPlan"),
    "observers:plan_confirm": pk_or_absent("observers.AssignmentPlan"),
    "observer-candidate-detail": pk_or_absent("observers.Candidate"),
    "observer-candidate-appoint": pk_or_absent("observers.Candidate"),
    "observer-candidate-opinion": pk_or_absent("observers.Candidate"),
    "observer-roster-detail": pk_or_absent("observers.Observer"),
    "observer-plan-detail": pk_or_absent("observers.AssignmentPlan"),
    "observer-plan-confirm": pk_or_absent("observers.AssignmentPlan"),
    "observer-plan-move": pk_or_absent("observers.AssignmentPlan"),
}


@dataclass(frozen=True)
class Entry:
    method: str  # GET or POST
    anonymous: int
    outsider: int
    viewer: int
    user: str  # the allowed demo account
    allowed: int


# Django admin (staff only; its own login page) and static files are outside the application's roles:
# every admin:* URL is admin-only, checked through admin:index below.
ADMIN_ONLY = "admin:"

# Drafted by scripts/permission_matrix_skeleton.py, then reviewed. Notes from the review:
# - list pages (member_list, plan_board, …) answer an outsider 200 with the outsider's own rows only;
#   scope filtering of those rows is tested by each app and by scripts/fuzz_api.py.
# - user "admin" with 404 everywhere: the tiny demo has no such object yet (ABSENT id, see KWARGS), or the
#   page needs an observer profile the demo lacks; only the refusals are checked.
# - api-member-unmask answers 400 (a reason is required) before the permission check; with a reason the
#   viewer gets 403 (orgs/tests/test_api_masking.py). observer-plan-propose likewise validates first.
# - points:withdraw: only the member who declared may withdraw; no demo account declared the one used.
MATRIX: dict[str, Entry] = {
    "home:dashboard": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:org_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:org_tree": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:org_create": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "orgs:problems": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:org_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orgs:org_edit": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "orgs:member_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:member_create": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "orgs:member_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orgs:member_edit": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "orgs:member_unmask": Entry("GET", 302, 404, 403, "admin_dept", 200),
    "orgs:position_create": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "orgs:position_end": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orgs:member_import": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "orgs:member_import_template": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "orgs:member_export": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "accounts:login": Entry("GET", 200, 302, 302, "admin_committee", 302),
    "accounts:logout": Entry("POST", 302, 302, 302, "admin_committee", 302),
    "accounts:password_change": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:rule_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:rule_create": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "orglife:plan_index": Entry("GET", 302, 302, 302, "admin_committee", 302),
    "orglife:plan_review": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:plan_board": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:plan_board_export": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:plan_branch": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:plan_create": Entry("GET", 302, 404, 403, "admin_committee", 302),
    "orglife:plan_item_row": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "orglife:plan_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:plan_edit": Entry("GET", 302, 404, 403, "admin_committee", 302),
    "orglife:plan_submit": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:plan_approve": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:plan_return": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:record_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:record_create": Entry("GET", 302, 302, 403, "secretary", 302),
    "orglife:record_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:record_edit": Entry("GET", 302, 404, 403, "admin_committee", 409),
    "orglife:record_amend": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "orglife:record_submit": Entry("POST", 302, 404, 403, "admin_committee", 409),
    "orglife:record_approve": Entry("POST", 302, 404, 403, "admin_committee", 409),
    "orglife:record_return": Entry("POST", 302, 404, 403, "admin_committee", 409),
    "orglife:record_attachment_add": Entry("POST", 302, 404, 403, "admin_committee", 409),
    "orglife:record_attachment": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:record_attachment_delete": Entry("POST", 302, 404, 403, "admin_committee", 409),
    "orglife:stats_completion": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:stats_ledger": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:stats_ledger_export": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:patrol_check_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:patrol_check_draw": Entry("POST", 302, 302, 302, "admin_committee", 302),
    "orglife:patrol_check_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:patrol_check_rehold": Entry("POST", 302, 404, 403, "admin_committee", 200),
    "orglife:patrol_check_rectify": Entry("POST", 302, 404, 403, "admin_committee", 200),
    "orglife:patrol_rect_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:patrol_rect_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:patrol_rect_close": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:patrol_rect_return": Entry("POST", 302, 404, 403, "admin_committee", 200),
    "orglife:score_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:score_close": Entry("POST", 302, 403, 403, "admin_dept", 302),
    "orglife:interview_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:interview_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:interview_done": Entry("POST", 302, 404, 403, "admin_dept", 302),
    "orglife:interview_attachment": Entry("GET", 302, 404, 404, "admin", 404),
    "points:home": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:declare": Entry("GET", 302, 403, 403, "secretary", 200),
    "points:record": Entry("GET", 302, 200, 403, "secretary", 200),
    "points:declaration_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:declaration_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "points:verify": Entry("POST", 302, 404, 403, "admin", 302),
    "points:reject": Entry("POST", 302, 404, 403, "admin", 302),
    "points:resubmit": Entry("POST", 302, 404, 403, "admin", 302),
    "points:evidence": Entry("GET", 302, 404, 404, "admin", 404),
    "points:ledger": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:correct": Entry("POST", 302, 404, 403, "admin", 302),
    "points:member_file": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "points:member_file_pdf": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "points:interview_create": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "points:ranking": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:interviews": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:commendations": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:weekly": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:review_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:review_detail": Entry("GET", 302, 404, 404, "admin", 404),
    "points:notice_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:notice_create": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "points:notice_detail": Entry("GET", 302, 404, 404, "admin", 404),
    "points:objection_create": Entry("POST", 302, 404, 404, "admin", 404),
    "points:objection_answer": Entry("POST", 302, 404, 404, "admin", 404),
    "points:catalogue_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:catalogue_create": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "points:version_detail": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "points:version_new": Entry("POST", 302, 403, 403, "admin_dept", 302),
    "points:version_edit": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "points:version_publish": Entry("POST", 302, 403, 403, "admin_dept", 302),
    "points:rule_create": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "points:rule_edit": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "points:rule_delete": Entry("POST", 302, 403, 403, "admin_dept", 302),
    "observers:observe_branches": Entry("GET", 302, 404, 404, "admin", 404),
    "observers:observe_meetings": Entry("GET", 302, 404, 404, "admin", 404),
    "observers:observe_signup": Entry("POST", 302, 404, 404, "admin", 404),
    "observers:observe_list": Entry("GET", 302, 404, 404, "admin", 404),
    "observers:observe_detail": Entry("GET", 302, 404, 404, "admin", 404),
    "observers:observe_cancel": Entry("POST", 302, 404, 404, "admin", 404),
    "observers:observe_record": Entry("GET", 302, 404, 404, "admin", 404),
    "observers:observe_coverage": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:observe_branch_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:assessment_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:assessment_confirm": Entry("POST", 302, 404, 404, "admin", 404),
    "observers:assessment_confirm_all": Entry("POST", 302, 302, 403, "admin_committee", 302),
    "observers:assessment_allowance": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:assessment_allowance_export": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "notifications:notice_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "notifications:notice_mark_read": Entry("POST", 302, 302, 302, "admin_committee", 302),
    "notifications:notice_badge": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "notifications:outbox": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "notifications:outbox_retry": Entry("POST", 302, 404, 404, "admin", 404),
    "api-token": Entry("POST", 400, 400, 400, "admin_committee", 400),
    "api-organization-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-organization-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-organization-children": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-organization-warnings": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-member-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-member-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-member-unmask": Entry("POST", 401, 404, 400, "admin_committee", 400),
    "api-plan-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-plan-prompt": Entry("GET", 401, 400, 400, "admin_committee", 400),
    "api-plan-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-plan-approve": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-plan-return-": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-plan-submit": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-ruleset-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-ruleset-current": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-ruleset-detail": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-record-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-record-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-record-amend": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-record-approve": Entry("POST", 401, 404, 403, "admin_committee", 409),
    "api-record-attachment": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-record-return-record": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-record-submit": Entry("POST", 401, 404, 403, "admin_committee", 409),
    "api-record-upload": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-completion": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-orglife-patrol-check-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-orglife-patrol-check-draw": Entry("POST", 401, 400, 400, "admin_committee", 400),
    "api-orglife-patrol-check-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-orglife-patrol-check-rate": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-patrol-check-rectify": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-patrol-check-rehold": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-rectification-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-orglife-rectification-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-orglife-rectification-close": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-rectification-send-back": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-orglife-rectification-submit": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-score-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-score-close": Entry("POST", 401, 403, 403, "admin_dept", 400),
    "api-interview-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-interview-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-interview-attachment": Entry("GET", 401, 404, 404, "admin", 404),
    "api-interview-complete": Entry("POST", 401, 404, 403, "admin_dept", 400),
    "api-points-rule-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-declaration-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-declaration-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-points-declaration-reject": Entry("POST", 401, 404, 403, "admin", 400),
    "api-points-declaration-resubmit": Entry("POST", 401, 404, 403, "admin", 400),
    "api-points-declaration-verify": Entry("POST", 401, 404, 403, "admin", 400),
    "api-points-entry-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-ranking-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-ranking-below": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-notice-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-points-notice-detail": Entry("GET", 401, 404, 404, "admin", 404),
    "api-points-notice-objections": Entry("POST", 401, 404, 404, "admin", 404),
    "observe-branches": Entry("GET", 401, 404, 404, "admin", 404),
    "observe-meeting-list": Entry("GET", 401, 404, 404, "admin", 404),
    "observe-observation-list": Entry("GET", 401, 404, 404, "admin", 404),
    "observe-observation-detail": Entry("GET", 401, 404, 404, "admin", 404),
    "observe-observation-submit": Entry("POST", 401, 404, 404, "admin", 404),
    "observe-assessment-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "observe-assessment-confirm": Entry("POST", 401, 400, 400, "admin_committee", 400),
    "observe-assessment-proposals": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "schema": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-docs": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-redoc": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "accounts:otp_verify": Entry("GET", 302, 302, 302, "admin_committee", 302),
    "accounts:otp_setup": Entry("GET", 302, 200, 200, "admin_committee", 302),
    "accounts:otp_status": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "accounts:security_admin": Entry("GET", 302, 404, 404, "admin", 404),
    "accounts:token_revoke_all": Entry("POST", 302, 302, 302, "admin_committee", 302),
    "accounts:token_revoke": Entry("POST", 302, 404, 404, "admin_committee", 404),
    "audit:event_list": Entry("GET", 302, 404, 404, "auditor", 200),
    "points:withdraw": Entry("POST", 302, 404, 403, "admin", 403),
    "points:notice_publish": Entry("POST", 302, 404, 404, "admin", 404),
    "observers:observe_branch_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "observers:candidate_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:candidate_create": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "observers:candidate_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "observers:candidate_opinion": Entry("POST", 302, 404, 403, "admin_dept", 200),
    "observers:candidate_appoint": Entry("POST", 302, 404, 403, "admin_dept", 200),
    "observers:observer_letter_pdf": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "observers:observer_card_pdf": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "observers:observer_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:observer_export": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "observers:observer_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "observers:observer_status": Entry("POST", 302, 404, 403, "admin_dept", 200),
    "observers:observer_training": Entry("POST", 302, 404, 403, "admin_dept", 200),
    "observers:observer_updated": Entry("POST", 302, 404, 403, "admin_dept", 302),
    "observers:plan_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "observers:plan_propose": Entry("POST", 302, 403, 403, "admin_committee", 200),
    "observers:plan_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "observers:plan_move": Entry("POST", 302, 404, 403, "admin_dept", 200),
    "observers:plan_confirm": Entry("POST", 302, 404, 403, "admin_dept", 302),
    "api-points-declaration-withdraw": Entry("POST", 401, 404, 403, "admin", 403),
    "observer-candidate-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "observer-candidate-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "observer-candidate-appoint": Entry("POST", 401, 404, 403, "admin_dept", 400),
    "observer-candidate-opinion": Entry("POST", 401, 404, 403, "admin_dept", 400),
    "observer-roster-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "observer-roster-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "observer-plan-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "observer-plan-propose": Entry("POST", 401, 400, 400, "admin_committee", 400),
    "observer-plan-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "observer-plan-confirm": Entry("POST", 401, 404, 403, "admin_dept", 400),
    "observer-plan-move": Entry("POST", 401, 404, 403, "admin_dept", 400),
}
