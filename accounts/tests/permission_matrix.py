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


def study_book(c: Ctx) -> dict[str, Any]:
    """一人一册: the tiny demo's book is the county's (above the committee), so the committee's admin issues one
    through the service."""
    from django.utils import timezone

    from learning.models import StudyBook
    from learning.services import books

    found = StudyBook.objects.filter(org=c.committee).order_by("pk").first()
    if found is None:
        found = books.issue_book(
            actor=c.users["admin_committee"],
            data=books.BookData(c.committee, "矩阵学习册", timezone.localdate()),
        )
    return {"pk": found.pk}


def lesson_with_slides(c: Ctx) -> dict[str, Any]:
    """A 微党课 with a PDF 课件 under the committee, given through the service (the tiny demo's have none)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from learning.models import Lesson
    from learning.services import LessonData, give_lesson
    from orgs.models import Member

    found = Lesson.objects.filter(org__path__startswith=c.committee.path).exclude(slides_file="").first()
    if found is None:
        speaker = Member.objects.select_related("org").get(pk=c.member.pk)
        found = give_lesson(
            actor=c.users["admin_committee"],
            data=LessonData(
                org=speaker.org,
                speaker=speaker,
                topic="矩阵课件",
                given_on=timezone.localdate(),
                minutes=15,
                upload=SimpleUploadedFile("课件.pdf", b"%PDF-1.4\n%matrix\n%%EOF\n"),
            ),
        )
    return {"pk": found.pk}


def study_record(c: Ctx) -> dict[str, Any]:
    from learning.models import StudyRecord

    book = study_book(c)["pk"]
    return {"pk": StudyRecord.objects.filter(book_id=book).order_by("pk").values_list("pk", flat=True)[0]}


def study_check(c: Ctx) -> dict[str, Any]:
    from django.utils import timezone

    from learning.models import StudyCheck, StudyRecord
    from learning.services import books

    record = StudyRecord.objects.get(pk=study_record(c)["pk"])
    found = StudyCheck.objects.filter(record=record).first()
    if found is None:
        found = books.check_record(
            actor=c.users["admin_committee"], record=record, result="pass", checked_on=timezone.localdate()
        )
    return {"pk": found.pk}


def record_attachment(c: Ctx) -> dict[str, Any]:
    att = c.obj("orglife.RecordAttachment")
    return {"pk": att.record_id, "att": att.pk}  # type: ignore[attr-defined]


def photo_upload(c: Ctx, **extra: Any) -> dict[str, Any]:
    """A record of the secretary's branch and an upload id (the device makes it; none is stored yet)."""
    record = c.obj("orglife.MeetingRecord", org=c.branch)
    return {"pk": record.pk, "upload_id": "matrixupload01", **extra}


def photo_match_image(c: Ctx) -> dict[str, Any]:
    """A reused pair under the committee (the tiny demo makes one), else the ABSENT id."""
    from django.db.models import Q

    from orglife.models import PhotoMatch
    from orgs.paths import under_path_q

    inside = under_path_q(c.committee.path, "record__org__path") | under_path_q(
        c.committee.path, "other_record__org__path"
    )
    found = PhotoMatch.objects.filter(Q(inside)).order_by("id").first()
    if found is None:
        found = _reused_pair_under_committee(c)
    return {"pk": found.pk if found else ABSENT, "side": "photo"}


def _reused_pair_under_committee(c: Ctx) -> Any:
    """The demo put its one reused pair in another 党(工)委 (the lagging one is drawn by seed and date):
    one picture is attached to two records of two branches under the committee through the bulk path,
    whose reuse check stores the pair as an upload's would."""
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile

    from orglife import uploads
    from orglife.demo import _distinct_photos
    from orglife.models import MeetingRecord, PhotoMatch
    from orglife.services.records_bulk import HistoryPhoto, add_history_photos

    records: list[MeetingRecord] = []
    for record in MeetingRecord.objects.filter(org__path__startswith=c.committee.path).order_by("-pk"):
        if all(r.org_id != record.org_id for r in records):
            records.append(record)
        if len(records) == 2:
            break
    if len(records) < 2:
        return None
    ((_, clean),) = _distinct_photos(random.Random(7), 1)
    again = uploads.clean_photo(SimpleUploadedFile("IMG_0001.jpg", clean.content, content_type="image/jpeg"))
    from django.utils import timezone

    now = timezone.now()
    add_history_photos(
        items=[
            HistoryPhoto(records[1], clean, "IMG_a.jpg", now),
            HistoryPhoto(records[0], again, "IMG_b.jpg", now),
        ]
    )
    return PhotoMatch.objects.filter(record__in=records).order_by("id").first()


def photo_match(c: Ctx) -> dict[str, Any]:
    return {"pk": photo_match_image(c)["pk"]}


def person_with_notice(c: Ctx) -> dict[str, Any]:
    """A person under the committee with a 公示 on file, and that notice's kind."""
    from development.models import Person
    from development.services import notices

    for person in Person.objects.filter(org__path__startswith=c.committee.path).order_by("pk"):
        found = notices.notices_of(person)
        if found:
            return {"pk": person.pk, "kind": str(found[0].kind)}
    raise LookupError("the demo has no 公示 under the committee")


def notice_objection(c: Ctx) -> dict[str, Any]:
    """A 反映意见 under the committee; the demo's one may sit in another 党(工)委, so the committee's first
    person whose notice is running gets one through the service."""
    from development.models import Notice, NoticeObjection, Person
    from development.services import notices

    found = (
        NoticeObjection.objects.filter(person__org__path__startswith=c.committee.path).order_by("pk").first()
    )
    if found is None:
        for person in Person.objects.filter(org__path__startswith=c.committee.path).order_by("pk"):
            open_kinds = [k for k in Notice if notices.open_to_objections(person, k)]
            if open_kinds:
                info = next(n for n in notices.notices_of(person) if n.kind == open_kinds[0])
                found = notices.record_objection(
                    actor=None,
                    person=person,
                    notice=str(open_kinds[0]),
                    received_on=info.starts_on,
                    received_by="支部组织委员",
                    content="矩阵：群众来信反映情况。",
                    backdate_reason="权限矩阵测试数据",
                )
                break
    if found is None:
        raise LookupError("the demo has no running 公示 under the committee")
    return {"pk": found.pk}


def bulletin_image(c: Ctx) -> dict[str, Any]:
    """The demo's picture on a waiting article of the committee (bulletins/demo.py)."""
    image = c.obj(
        "bulletins.ArticleImage",
        anywhere=True,
        article__state="submitted",
        article__org__path__startswith=c.committee.path,
    )
    return {"pk": image.article_id, "image": image.pk}  # type: ignore[attr-defined]


def points_rule(c: Ctx) -> dict[str, Any]:
    rule = c.obj("points.PointRule", anywhere=True)
    return {"pk": rule.version_id, "rule_pk": rule.pk}  # type: ignore[attr-defined]


def ledger_year(c: Ctx) -> dict[str, Any]:
    return {"pk": c.branch.pk, "year": c.year}


def account(c: Ctx) -> dict[str, Any]:
    """An account no other matrix entry logs in as (user_active disables it, grant_revoke takes its role)."""
    user = c.users["contact"]
    assert user is not None
    return {"pk": user.pk}


def account_grant(c: Ctx) -> dict[str, Any]:
    from orgs.models import RoleGrant

    return {"pk": RoleGrant.objects.filter(user__username="contact").order_by("pk")[0].pk}


def provisioning_run(c: Ctx) -> dict[str, Any]:
    """A finished run without a sealed list (its slips answer 410: nothing to hand out)."""
    from accounts.models import ProvisioningRun

    run = ProvisioningRun.objects.create(org=c.committee, source="members", delivery="pdf", status="done")
    return {"pk": run.pk}


KWARGS: dict[str, Kwargs] = {
    "accounts:token_revoke": absent(),  # one's own tokens only: accounts/tests/test_api_token_page.py
    "accounts:user_detail": account,
    "accounts:user_active": account,
    "accounts:user_reset_password": account,
    "accounts:user_grant": account,
    "accounts:grant_revoke": account_grant,
    "accounts:provision_detail": provisioning_run,
    "accounts:provision_slips_pdf": provisioning_run,
    "orgs:org_detail": branch,
    "orgs:org_edit": branch,
    "orgs:member_detail": member,
    "orgs:member_edit": member,
    "orgs:member_unmask": member,
    "orgs:position_create": member,
    "orgs:position_end": pk_of("orgs.Position"),
    "api-position-detail": pk_of("orgs.Position"),
    "orgs:onboarding_template": lambda c: {"sheet": "orgs"},
    "orgs:onboarding_detail": absent(),
    "orgs:onboarding_mapping": lambda c: {"pk": ABSENT, "sheet": "orgs"},
    "orgs:onboarding_progress": absent(),
    "orgs:onboarding_start": lambda c: {"pk": ABSENT, "step": "check"},
    "api-position-end": pk_of("orgs.Position"),
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
    "orglife:record_photos": pk_of("orglife.MeetingRecord"),
    "orglife:record_photos_explain": pk_of("orglife.MeetingRecord"),
    "orglife:record_photos_review": pk_of("orglife.MeetingRecord"),
    "orglife:photo_match_image": photo_match_image,
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
    "learning:member": member,
    "learning:offline_add": member,
    "learning:exemption": member,
    "learning:entry_remove": pk_of("learning.StudyEntry"),
    "learning:lesson_detail": pk_of("learning.Lesson"),
    "learning:lesson_delete": pk_of("learning.Lesson"),
    "learning:lesson_slides": lesson_with_slides,
    "learning:training_detail": pk_of("learning.Training", anywhere=True),
    "learning:video_detail": pk_of("learning.Video", anywhere=True),
    "learning:video_file": pk_of("learning.Video", anywhere=True),
    "learning:video_poster": pk_of("learning.Video", anywhere=True),
    "learning:video_status": pk_of("learning.Video", anywhere=True),
    "learning:video_start": pk_of("learning.Video", anywhere=True),
    "learning:video_beat": pk_of("learning.Video", anywhere=True),
    "learning:video_assign": pk_of("learning.Video", anywhere=True),
    "learning:assignment_detail": pk_of("learning.VideoAssignment", anywhere=True),
    "learning:book_detail": study_book,
    "learning:book_export": study_book,
    "learning:record_detail": study_record,
    "learning:record_check": study_record,
    "learning:check_withdraw": study_check,
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
    "api-record-photo-upload": photo_upload,
    "api-record-photo-chunk": lambda c: photo_upload(c, index=0),
    "api-record-photo-complete": photo_upload,
    "api-orglife-patrol-check-detail": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rate": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rectify": pk_of("orglife.PatrolCheck"),
    "api-orglife-patrol-check-rehold": pk_of("orglife.PatrolCheck"),
    "api-orglife-rectification-detail": pk_of("orglife.Rectification"),
    "api-orglife-photo-match-detail": photo_match,
    "api-orglife-photo-match-explain": photo_match,
    "api-orglife-photo-match-review": photo_match,
    "api-orglife-photo-match-image": photo_match_image,
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
    "development:person_detail": pk_of("development.Person"),
    "development:person_step": lambda c: {"pk": c.pk("development.Person"), "step": "talk"},
    "api-development-person-detail": pk_of("development.Person"),
    "api-learning-lesson-detail": pk_of("learning.Lesson"),
    "api-learning-video-detail": pk_of("learning.Video", anywhere=True),
    "api-learning-member-hours": member,
    "api-learning-training-detail": pk_of("learning.Training", anywhere=True),
    "api-learning-assignment-detail": pk_of("learning.VideoAssignment", anywhere=True),
    "api-learning-book-detail": study_book,
    "api-learning-book-records": study_book,
    "api-learning-record-check": study_record,
    "api-learning-conversion-detail": pk_of("learning.Conversion", anywhere=True),
    "api-development-person-step": pk_of("development.Person"),
    "development:notices": pk_of("development.Person"),
    "development:objection_add": pk_of("development.Person"),
    "development:notice_print": person_with_notice,
    "development:disclosure": lambda c: {"org_pk": branch(c)["pk"]},
    "development:objection_resolve": notice_objection,
    "api-development-objections": pk_of("development.Person"),
    "api-development-objection-resolve": notice_objection,
    "quizzes:attempt": pk_of("quizzes.Attempt"),
    "quizzes:attempt_save": pk_of("quizzes.Attempt"),
    "quizzes:attempt_submit": pk_of("quizzes.Attempt"),
    "quizzes:question_detail": pk_of("quizzes.Question", anywhere=True),
    "quizzes:question_edit": pk_of("quizzes.Question", anywhere=True),
    "quizzes:question_retire": pk_of("quizzes.Question", anywhere=True),
    "quizzes:campaign_detail": pk_of("quizzes.Campaign", anywhere=True),
    "quizzes:campaign_start": pk_of("quizzes.Campaign", anywhere=True),
    "quizzes:campaign_void": pk_of("quizzes.Campaign", anywhere=True),
    "api-quiz-question-detail": pk_of("quizzes.Question", anywhere=True),
    "api-quiz-question-revise": pk_of("quizzes.Question", anywhere=True),
    "api-quiz-question-retire": pk_of("quizzes.Question", anywhere=True),
    "api-quiz-campaign-detail": pk_of("quizzes.Campaign", anywhere=True),
    "api-quiz-campaign-void": pk_of("quizzes.Campaign", anywhere=True),
    "api-quiz-campaign-start": pk_of("quizzes.Campaign", anywhere=True),
    "api-quiz-attempt-detail": pk_of("quizzes.Attempt"),
    "api-quiz-attempt-answers": pk_of("quizzes.Attempt"),
    "api-quiz-attempt-submit": pk_of("quizzes.Attempt"),
    "bulletins:article_detail": pk_of("bulletins.Article", state="submitted"),
    "bulletins:article_edit": pk_of("bulletins.Article", state="submitted"),
    "bulletins:article_submit": pk_of("bulletins.Article", state="returned"),
    "bulletins:article_return": pk_of("bulletins.Article", state="submitted"),
    "bulletins:article_adopt": pk_of("bulletins.Article", state="submitted"),
    "bulletins:article_image_add": pk_of("bulletins.Article", state="submitted"),
    "bulletins:article_image_file": bulletin_image,
    "bulletins:article_image_delete": bulletin_image,
    "bulletins:issue_detail": pk_of("bulletins.Issue", anywhere=True, status="draft"),
    "bulletins:issue_place": pk_of("bulletins.Issue", anywhere=True, status="draft"),
    "bulletins:issue_remove": pk_of("bulletins.Issue", anywhere=True, status="draft"),
    "bulletins:issue_move": pk_of("bulletins.Issue", anywhere=True, status="draft"),
    "bulletins:issue_publish": pk_of("bulletins.Issue", anywhere=True, status="draft"),
    "bulletins:issue_correct": pk_of("bulletins.Issue", anywhere=True, status="published"),
    "bulletins:issue_pdf": pk_of("bulletins.Issue", anywhere=True, status="published"),
    "bulletins:issue_docx": pk_of("bulletins.Issue", anywhere=True, status="published"),
    "development:discipline_create": branch,
    "development:document_mark": pk_of("development.Person"),
    "development:dossier_pdf": pk_of("development.Person"),
    "development:document_upload": pk_of("development.Person"),
    "development:document_file": absent(),  # no scan in the demo: development/tests/test_dossier_upload.py
    "development:quota_set": branch,
    "api-bulletins-article-detail": pk_of("bulletins.Article", state="submitted"),
    "api-bulletins-article-submit": pk_of("bulletins.Article", state="returned"),
    "api-bulletins-article-return": pk_of("bulletins.Article", state="submitted"),
    "api-bulletins-article-adopt": pk_of("bulletins.Article", state="submitted"),
    "api-bulletins-issue-detail": pk_of("bulletins.Issue", anywhere=True, status="published"),
    # the page's issue_publish (earlier in MATRIX) has published the draft: this one is refused with a 400
    "api-bulletins-issue-publish": pk_of("bulletins.Issue", anywhere=True, status="published"),
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
# - quizzes: the county's question bank and campaigns are read by every staff role below the county (the
#   outsider included); someone else's attempt answers 404 to a write (and the refusal is counted).
MATRIX: dict[str, Entry] = {
    "home:dashboard": Entry("GET", 302, 200, 200, "admin_committee", 200),
    # The home's side panel: every signed-in user's own unread messages and points, nobody else's.
    "home:side": Entry("GET", 302, 200, 200, "admin_committee", 200),
    # Public: what a browser fetches of any site (the icon, the app manifest, the service worker, its
    # offline page); none carries anything personal.
    "home:favicon": Entry("GET", 200, 200, 200, "admin_committee", 200),
    "home:manifest": Entry("GET", 200, 200, 200, "admin_committee", 200),
    "home:service_worker": Entry("GET", 200, 200, 200, "admin_committee", 200),
    "home:offline": Entry("GET", 200, 200, 200, "admin_committee", 200),
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
    "orgs:position_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orgs:onboarding": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "orgs:county_export": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "orgs:onboarding_template": Entry("GET", 302, 403, 403, "admin_dept", 200),
    "orgs:onboarding_detail": Entry("GET", 302, 404, 404, "admin_dept", 404),
    "orgs:onboarding_mapping": Entry("POST", 302, 404, 404, "admin_dept", 404),
    "orgs:onboarding_progress": Entry("GET", 302, 404, 404, "admin_dept", 404),
    "orgs:onboarding_start": Entry("POST", 302, 404, 404, "admin_dept", 404),
    "orgs:position_import": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "orgs:position_import_template": Entry("GET", 302, 200, 403, "admin_committee", 200),
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
    "orglife:record_photos": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "orglife:record_photos_explain": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:record_photos_review": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "orglife:photo_match_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "orglife:photo_match_image": Entry("GET", 302, 404, 200, "admin_committee", 200),
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
    "learning:home": Entry("GET", 302, 302, 302, "admin_committee", 302),
    "learning:hours": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:member": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:offline_add": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "learning:exemption": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "learning:entry_remove": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "learning:lessons": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:lesson_new": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "learning:lesson_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:lesson_delete": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "learning:lesson_slides": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:trainings": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:training_new": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "learning:training_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "learning:videos": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:video_new": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "learning:video_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    # The demo's films are generated and transcoded with it: the file and poster are served to whoever sees the video.
    "learning:video_file": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "learning:video_poster": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "learning:video_status": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "learning:video_start": Entry("POST", 302, 404, 404, "admin_dept", 404),
    "learning:video_beat": Entry("POST", 302, 404, 404, "admin_dept", 404),
    "learning:video_assign": Entry("POST", 302, 404, 403, "admin_dept", 302),
    "learning:assignment_detail": Entry("GET", 302, 404, 200, "admin_dept", 200),
    "learning:books": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:book_new": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "learning:book_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:book_export": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:record_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "learning:record_check": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "learning:check_withdraw": Entry("POST", 302, 404, 403, "admin_committee", 302),
    # 学时折算标准 (L-06): one table for the whole installation, read by every staff role (it converts their
    # hours); only a department admin on the county publishes a version, as with orglife's rule sets.
    "learning:conversion_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "learning:conversion_new": Entry("GET", 302, 403, 403, "admin_dept", 200),
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
    "api-position-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-position-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-position-end": Entry("POST", 401, 404, 403, "admin_committee", 400),
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
    # Chunked photos (the phone's outbox): the secretary's branch; its demo record is approved (409).
    "api-record-photo-upload": Entry("GET", 401, 404, 200, "secretary", 200),
    "api-record-photo-chunk": Entry("POST", 401, 404, 403, "secretary", 409),
    "api-record-photo-complete": Entry("POST", 401, 404, 403, "secretary", 400),
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
    "api-orglife-photo-match-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-orglife-photo-match-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-orglife-photo-match-explain": Entry("POST", 401, 404, 403, "admin_committee", 400),
    # only the patrol over a pair's later record reviews it; the later record of the demo's pair lies outside
    # admin_committee's committee (which sees the pair through the earlier one)
    "api-orglife-photo-match-review": Entry("POST", 401, 404, 403, "admin_dept", 400),
    "api-orglife-photo-match-image": Entry("GET", 401, 404, 200, "admin_committee", 200),
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
    # 三员 user management: the system administrator's accounts, the security administrator's grants; both
    # read the list and a user's page, each gets 403 on the other's actions (test_user_management.py).
    "accounts:user_list": Entry("GET", 302, 404, 404, "admin_system", 200),
    "accounts:user_create": Entry("GET", 302, 404, 404, "admin_system", 200),
    "accounts:user_detail": Entry("GET", 302, 404, 404, "admin_security", 200),
    "accounts:user_active": Entry("POST", 302, 404, 404, "admin_system", 302),
    "accounts:user_reset_password": Entry("POST", 302, 404, 404, "admin_system", 200),
    "accounts:user_grant": Entry("POST", 302, 404, 404, "admin_security", 200),
    "accounts:grant_revoke": Entry("POST", 302, 404, 404, "admin_security", 302),
    "accounts:provision_list": Entry("GET", 302, 404, 404, "admin_system", 200),
    "accounts:provision_detail": Entry("GET", 302, 404, 404, "admin_system", 200),
    "accounts:provision_slips_pdf": Entry("GET", 302, 404, 404, "admin_system", 410),
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
    "development:person_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "development:person_export": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "development:discipline_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "development:discipline_create": Entry("GET", 302, 404, 403, "admin_committee", 200),
    "development:document_mark": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "development:dossier_pdf": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "development:document_upload": Entry("POST", 302, 404, 403, "admin_committee", 302),
    "development:document_file": Entry("GET", 302, 404, 404, "admin_committee", 404),
    "development:quota_set": Entry("POST", 302, 404, 403, "admin_dept", 302),
    "development:due_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "development:overview": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "development:person_create": Entry("GET", 302, 200, 403, "admin_committee", 200),
    "development:person_detail": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "development:person_step": Entry("POST", 302, 404, 403, "admin_committee", 400),
    "api-development-person-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-development-person-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-development-due-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-development-person-step": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "development:notices": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "development:objection_add": Entry("POST", 302, 404, 403, "admin_committee", 400),
    "development:notice_print": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "development:disclosure": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "development:objection_resolve": Entry("POST", 302, 404, 403, "admin_committee", 400),
    "api-development-objections": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-development-objection-resolve": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-learning-lesson-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-lesson-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-learning-training-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-training-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "api-learning-assignment-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-assignment-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "api-learning-book-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-book-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-learning-book-records": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-learning-record-check": Entry("POST", 401, 404, 403, "admin_committee", 400),
    "api-learning-video-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-video-detail": Entry("GET", 401, 404, 200, "admin_dept", 200),
    "api-learning-my-assignments": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-member-hours": Entry("GET", 401, 404, 200, "admin_committee", 200),
    # The county-wide 学时 conversion table: every staff user reads it, as the page (a member-only account: 404).
    "api-learning-conversion-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-conversion-current": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-learning-conversion-detail": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "quizzes:my": Entry("GET", 302, 404, 404, "member", 200),
    "quizzes:practice": Entry("POST", 302, 404, 404, "member", 302),
    "quizzes:attempt": Entry("GET", 302, 404, 200, "admin_committee", 200),
    "quizzes:attempt_save": Entry("POST", 302, 404, 404, "admin_committee", 404),
    "quizzes:attempt_submit": Entry("POST", 302, 404, 404, "admin_committee", 404),
    "quizzes:bank": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:question_create": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "quizzes:categories": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:import": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "quizzes:import_template": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "quizzes:export": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:question_detail": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:question_edit": Entry("GET", 302, 403, 403, "editor", 200),
    "quizzes:question_retire": Entry("POST", 302, 403, 403, "editor", 302),
    "quizzes:campaign_list": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:campaign_create": Entry("GET", 302, 403, 403, "admin_committee", 200),
    "quizzes:campaign_detail": Entry("GET", 302, 200, 200, "admin_committee", 200),
    "quizzes:campaign_start": Entry("POST", 302, 404, 404, "member", 302),
    "quizzes:campaign_void": Entry("POST", 302, 403, 403, "admin_dept", 302),
    "api-quiz-question-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-quiz-question-detail": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-quiz-question-revise": Entry("POST", 401, 403, 403, "editor", 400),
    "api-quiz-question-retire": Entry("POST", 401, 403, 403, "editor", 200),
    "api-quiz-campaign-list": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-quiz-campaign-detail": Entry("GET", 401, 200, 200, "admin_committee", 200),
    "api-quiz-campaign-void": Entry("POST", 401, 403, 403, "admin_dept", 400),
    "api-quiz-campaign-start": Entry("POST", 401, 404, 404, "member", 201),
    "api-quiz-attempt-detail": Entry("GET", 401, 404, 200, "admin_committee", 200),
    "api-quiz-attempt-answers": Entry("POST", 401, 404, 404, "admin_committee", 404),
    "api-quiz-attempt-submit": Entry("POST", 401, 404, 404, "admin_committee", 404),
    "api-quiz-attempt-practice": Entry("POST", 401, 404, 404, "member", 201),
    # 信息报送 (bulletins/demo.py): the articles are the demo 信息员's on the committee; only their author may
    # submit one (no demo login wrote them: everyone else is refused). The county's journal is read across
    # the county, so the outsider (a branch secretary in it) reads its issues but cannot write them.
    "bulletins:article_list": Entry("GET", 302, 200, 200, "info_officer", 200),
    "bulletins:inbox": Entry("GET", 302, 403, 403, "editor", 200),
    "bulletins:article_create": Entry("GET", 302, 403, 403, "info_officer", 200),
    "bulletins:article_detail": Entry("GET", 302, 404, 200, "info_officer", 200),
    "bulletins:article_edit": Entry("GET", 302, 404, 403, "editor", 200),
    "bulletins:article_submit": Entry("POST", 302, 404, 403, "info_officer", 403),
    "bulletins:article_return": Entry("POST", 302, 404, 403, "editor", 302),
    "bulletins:article_adopt": Entry("POST", 302, 404, 403, "editor", 302),
    # pictures: read with the article; added and removed by the editor while it waits (the file entry
    # comes before the delete, which removes the demo's picture)
    "bulletins:article_image_add": Entry("POST", 302, 404, 403, "editor", 302),
    "bulletins:article_image_file": Entry("GET", 302, 404, 200, "info_officer", 200),
    "bulletins:article_image_delete": Entry("POST", 302, 404, 403, "editor", 302),
    "bulletins:issue_list": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:issue_create": Entry("GET", 302, 403, 403, "editor", 200),
    "bulletins:issue_detail": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:issue_place": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:issue_remove": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:issue_move": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:issue_publish": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:issue_correct": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:issue_pdf": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:issue_docx": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:progress": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:quota_set": Entry("POST", 302, 403, 403, "editor", 302),
    "bulletins:ranking": Entry("GET", 302, 200, 200, "editor", 200),
    "bulletins:ranking_export": Entry("GET", 302, 200, 200, "editor", 200),
    "api-bulletins-article-list": Entry("GET", 401, 200, 200, "info_officer", 200),
    "api-bulletins-article-detail": Entry("GET", 401, 404, 200, "info_officer", 200),
    "api-bulletins-article-submit": Entry("POST", 401, 404, 403, "info_officer", 403),
    "api-bulletins-article-return": Entry("POST", 401, 404, 403, "editor", 400),
    "api-bulletins-article-adopt": Entry("POST", 401, 404, 403, "editor", 400),
    "api-bulletins-issue-list": Entry("GET", 401, 200, 200, "editor", 200),
    "api-bulletins-issue-detail": Entry("GET", 401, 200, 200, "editor", 200),
    "api-bulletins-issue-publish": Entry("POST", 401, 403, 403, "editor", 400),
}
