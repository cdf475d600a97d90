"""The steps of the pipeline, one service each, in order (RULES.md §4). Each checks the actor, the stage,
the step's dated evidence and its time rule, and refuses with the rule id and source; nothing is saved
on a refusal. Soft rules (一般…) come back as warnings. Becoming a member goes through orgs' services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import personal
from audit.models import AuditEvent
from audit.services import record_event
from development import defaults as d
from development import rules
from development.models import Assessment, Link, Notice, Person, Stage, Vote
from development.services.common import (
    Errors,
    add_step,
    check_day,
    require_approver,
    require_branch_write,
    require_stage,
)
from development.services.notices import objection_errors
from development.services.quotas import quota_check
from orglife.models import MeetingRecord, MeetingType
from orglife.services.records import recount_for_discipline
from orgs.access import Actor
from orgs.models import Discipline, Member, Organization
from orgs.services import MemberData, add_members, create_member, require_write, update_member
from personal import idcard

VOTABLE = (
    MeetingRecord.Status.SUBMITTED,
    MeetingRecord.Status.AWAITING_COMMITTEE,
    MeetingRecord.Status.APPROVED,
)


def _lock(person: Person) -> Person:
    return Person.objects.select_for_update().select_related("org").get(pk=person.pk)


def _open_step(
    actor: Actor | None,
    person: Person,
    *stages: str,
    action: str,
    once: tuple[str, str, str] | None = None,
) -> tuple[Person, Errors]:
    """The start every dated step shares: the person locked, the writer checked, the stage checked, and
    (`once` = field, error key, message) a step that may be entered only once refused when already there."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, *stages, action=action)
    errors = Errors()
    if once is not None and getattr(person, once[0]):
        errors.add(once[1], once[2])
    return person, errors


def _close_step(
    actor: Actor | None,
    person: Person,
    errors: Errors,
    *,
    facts: dict[str, object],
    step: str,
    on: dt.date,
    note: str = "",
    backdate_reason: str = "",
) -> None:
    """The end every dated step shares: nothing saved if any error; else the facts stored and the dated step
    (with its audit event) written."""
    errors.raise_if_any()
    for field, value in facts.items():
        setattr(person, field, value)
    person.save(update_fields=[*facts, "updated_at"])
    add_step(actor=actor, person=person, action=step, on=on, note=note, backdate_reason=backdate_reason)


@transaction.atomic
def register_application(
    *,
    actor: Actor | None,
    org: Organization,
    name: str,
    id_number: str,
    applied_on: dt.date,
    phone: str = "",
    education: str = "",
    occupation: str = "",
    is_league_member: bool = False,
    backdate_reason: str = "",
) -> tuple[Person, list[str]]:
    """收到入党申请书 (D-01 age ≥ 18 on the application date; D-02 the applicant's branch)."""
    if actor is not None:
        require_write(actor, org)
    errors = Errors()
    if not org.is_branch:
        errors.add("org", rules.msg("D-02", "入党申请应向本人工作、学习所在单位的党支部提出，由党支部接收"))
    if not name.strip():
        errors.add("name", "姓名不能为空")
    birth = gender = None
    try:
        number, birth, gender = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        errors.add("id_number", str(exc))
    else:
        taken = Person.objects.open().filter(id_number_hash=personal.blind_index("id", number))
        if taken.exists():
            errors.add("id_number", "该公民身份号码已在发展党员流程中")
        if Member.objects.filter(id_number_hash=personal.blind_index("id", number)).exists():
            errors.add("id_number", "该公民身份号码已登记为党员")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.add("phone", "联系电话应为7至12位数字")
    check_day(errors, "applied_on", applied_on, label="递交申请日期", backdate_reason=backdate_reason)
    if birth and applied_on and (message := rules.age_error(birth, applied_on)):
        errors.add("id_number", message)
    errors.raise_if_any()
    assert birth is not None and gender is not None
    person = Person(
        org=org,
        name=name.strip(),
        gender=gender,
        birth_date=birth,
        applied_on=applied_on,
        education=education,
        occupation=occupation,
        is_league_member=is_league_member,
    )
    person.set_id_number(number)
    person.set_phone(phone)
    person.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=person,
        org=org,
        summary={"event": "development.applied", "applied_on": applied_on.isoformat()},
        actor_name="" if actor is not None else "system",
    )
    add_step(
        actor=actor, person=person, action="递交入党申请书", on=applied_on, backdate_reason=backdate_reason
    )
    warnings = []
    youth = d.setting("YOUTH_AGE")
    if rules.age_on(birth, applied_on) < youth and not is_league_member:
        warnings.append(f"D-21：{youth}周岁以下一般从共青团员中推优发展（{d.SOURCES['D-21']}）")
    return person, warnings


@transaction.atomic
def record_talk(
    *, actor: Actor | None, person: Person, on: dt.date, note: str = "", backdate_reason: str = ""
) -> list[str]:
    """D-03: the talk, due within one month of the application; a late talk is kept and flagged."""
    person, errors = _open_step(
        actor, person, Stage.APPLICANT, action="谈话", once=("talked_on", "on", "已登记谈话")
    )
    check_day(
        errors,
        "on",
        on,
        label="谈话日期",
        after=person.applied_on,
        after_label="递交申请日期",
        backdate_reason=backdate_reason,
    )
    warnings = []
    if not errors.items and on > rules.talk_due(person.applied_on):
        warnings.append(
            rules.msg(
                "D-03", f"谈话晚于收到申请后1个月（应在{rules.talk_due(person.applied_on):%Y-%m-%d}前）"
            )
        )
    _close_step(
        actor,
        person,
        errors,
        facts={"talked_on": on},
        step="派人谈话",
        on=on,
        note="；".join([note, *warnings]).strip("；"),
        backdate_reason=backdate_reason,
    )
    return warnings


@transaction.atomic
def make_activist(
    *,
    actor: Actor | None,
    person: Person,
    nomination: str,
    decided_on: dt.date,
    filed_on: dt.date,
    backdate_reason: str = "",
) -> None:
    """D-04: APPLICANT → ACTIVIST, nominated, decided by the 支委会 and filed with the superior 党委."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.APPLICANT, action="确定入党积极分子")
    errors = Errors()
    if not person.talked_on:
        errors.add("__all__", rules.msg("D-03", "尚未登记谈话，不能确定为入党积极分子"))
    if nomination not in Person.Nomination.values:
        errors.add("nomination", rules.msg("D-04", "请选择推荐方式（党员推荐、群团组织推优）"))
    check_day(
        errors,
        "decided_on",
        decided_on,
        label="支委会研究日期",
        after=person.talked_on or person.applied_on,
        after_label="谈话日期",
        backdate_reason=backdate_reason,
    )
    check_day(
        errors,
        "filed_on",
        filed_on,
        label="报上级党委备案日期",
        after=decided_on,
        after_label="支委会研究日期",
        backdate_reason=backdate_reason,
    )
    errors.raise_if_any()
    person.stage = Stage.ACTIVIST
    person.nomination = nomination
    person.activist_on = decided_on
    person.activist_filed_on = filed_on
    person.save()
    add_step(
        actor=actor,
        person=person,
        action="确定为入党积极分子",
        on=decided_on,
        note=f"{person.get_nomination_display()}；{filed_on:%Y-%m-%d}报上级党委备案",
        backdate_reason=backdate_reason,
    )


def _full_member_errors(
    member: Member, day: dt.date, rule: str, role: str, *, discipline_bars: bool
) -> list[str]:
    out = []
    if member.category != Member.Category.FULL or member.status not in (
        Member.Status.NORMAL,
        Member.Status.MOBILE,
    ):
        out.append(rules.msg(rule, f"{member.name}不是正式党员，不能作{role}"))
    if discipline_bars and Discipline.objects.filter(member=member).in_force_on(day).exists():
        out.append(rules.msg(rule, f"{member.name}正在留党察看期间，不能作{role}"))
    return out


@transaction.atomic
def set_links(
    *,
    actor: Actor | None,
    person: Person,
    kind: str,
    members: Sequence[Member],
    on: dt.date,
    backdate_reason: str = "",
) -> None:
    """D-05 培养联系人: 1–2 full members; D-07 入党介绍人: exactly 2 full members not under 留党察看."""
    person = _lock(person)
    require_branch_write(actor, person)
    errors = Errors()
    members = list({m.pk: m for m in members}.values())
    if kind == Link.Kind.CONTACT:
        require_stage(person, Stage.ACTIVIST, Stage.CANDIDATE, action="确定培养联系人")
        if not d.CONTACTS_MIN <= len(members) <= d.CONTACTS_MAX:
            errors.add(
                "members", rules.msg("D-05", f"培养联系人应为{d.CONTACTS_MIN}至{d.CONTACTS_MAX}名正式党员")
            )
        start, start_label = person.activist_on, "确定为积极分子日期"
    elif kind == Link.Kind.SPONSOR:
        require_stage(person, Stage.CANDIDATE, action="确定入党介绍人")
        if len(members) != d.SPONSORS:
            errors.add("members", rules.msg("D-07", f"入党介绍人应为{d.SPONSORS}名正式党员"))
        start, start_label = person.candidate_on, "确定为发展对象日期"
    else:
        raise ValidationError({"kind": ["类别无效"]})
    for member in members:
        for message in _full_member_errors(
            member,
            on or timezone.localdate(),
            "D-07" if kind == Link.Kind.SPONSOR else "D-05",
            Link.Kind(kind).label,
            discipline_bars=kind == Link.Kind.SPONSOR,
        ):
            errors.add("members", message)
    check_day(
        errors,
        "on",
        on,
        label="确定日期",
        after=start,
        after_label=start_label,
        backdate_reason=backdate_reason,
    )
    errors.raise_if_any()
    Link.objects.filter(person=person, kind=kind, until__isnull=True).update(until=on)
    Link.objects.bulk_create(Link(person=person, member=m, kind=kind, since=on) for m in members)
    label = Link.Kind(kind).label
    add_step(
        actor=actor,
        person=person,
        action=f"确定{label}",
        on=on,
        note="、".join(m.name for m in members),
        backdate_reason=backdate_reason,
    )


@transaction.atomic
def add_assessment(
    *, actor: Actor | None, person: Person, held_on: dt.date, summary: str, backdate_reason: str = ""
) -> Assessment:
    """D-05: the branch's half-yearly assessment of an activist."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.ACTIVIST, Stage.CANDIDATE, action="培养考察")
    errors = Errors()
    if not summary.strip():
        errors.add("summary", "请填写考察意见")
    check_day(
        errors,
        "held_on",
        held_on,
        label="考察日期",
        after=person.activist_on,
        after_label="确定为积极分子日期",
        backdate_reason=backdate_reason,
    )
    errors.raise_if_any()
    item = Assessment.objects.create(person=person, held_on=held_on, summary=summary.strip())
    if person.last_assessed_on is None or held_on > person.last_assessed_on:
        person.last_assessed_on = held_on
        person.save(update_fields=["last_assessed_on", "updated_at"])
    add_step(
        actor=actor,
        person=person,
        action="培养考察",
        on=held_on,
        note=summary.strip()[:200],
        backdate_reason=backdate_reason,
    )
    return item


@transaction.atomic
def publish_notice(
    *, actor: Actor | None, person: Person, kind: str, starts_on: dt.date, backdate_reason: str = ""
) -> None:
    """D-22 公示 (U): before the 发展对象 step (kind "candidate") and before the admission vote ("probation")."""
    person = _lock(person)
    require_branch_write(actor, person)
    errors = Errors()
    if kind == "candidate":
        require_stage(person, Stage.ACTIVIST, action="发展对象公示")
        field, label = "candidate_notice_on", "拟确定发展对象公示"
    elif kind == "probation":
        require_stage(person, Stage.CANDIDATE, action="拟接收预备党员公示")
        field, label = "probation_notice_on", "拟接收预备党员公示"
    else:
        raise ValidationError({"kind": ["公示类别无效"]})
    check_day(errors, "starts_on", starts_on, label="公示开始日期", backdate_reason=backdate_reason)
    errors.raise_if_any()
    setattr(person, field, starts_on)
    person.save(update_fields=[field, "updated_at"])
    add_step(actor=actor, person=person, action=label, on=starts_on, backdate_reason=backdate_reason)


def notice_errors(notice_on: dt.date | None, day: dt.date, what: str) -> list[str]:
    days = d.setting("NOTICE_WORKING_DAYS")
    if not days:
        return []
    if notice_on is None:
        return [rules.msg("D-22", f"{what}前应公示{days}个工作日")]
    if day < (ends := rules.add_working_days(notice_on, days)):
        return [rules.msg("D-22", f"公示期{days}个工作日，{ends:%Y-%m-%d}期满后方可办理")]
    return []


@transaction.atomic
def make_candidate(
    *, actor: Actor | None, person: Person, decided_on: dt.date, filed_on: dt.date, backdate_reason: str = ""
) -> None:
    """D-06: ACTIVIST → CANDIDATE after a year and more, with contacts (D-05), half-yearly assessments
    (D-05), the notice (D-22), the 支委会 decision and filing with the superior 党委."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.ACTIVIST, action="确定发展对象")
    assert person.activist_on is not None
    errors = Errors()
    check_day(
        errors,
        "decided_on",
        decided_on,
        label="支委会研究日期",
        after=person.activist_on,
        after_label="确定为积极分子日期",
        backdate_reason=backdate_reason,
    )
    check_day(
        errors,
        "filed_on",
        filed_on,
        label="报上级党委备案日期",
        after=decided_on,
        after_label="支委会研究日期",
        backdate_reason=backdate_reason,
    )
    if decided_on and decided_on < (earliest := rules.candidate_earliest(person.activist_on)):
        errors.add(
            "decided_on", rules.msg("D-06", f"培养考察须满一年，{earliest:%Y-%m-%d}起方可确定为发展对象")
        )
    if not Link.objects.filter(person=person, kind=Link.Kind.CONTACT).exists():
        errors.add("__all__", rules.msg("D-05", "尚未确定培养联系人"))
    if decided_on:
        held = list(person.assessments.values_list("held_on", flat=True))
        if message := rules.assessment_gap_error(person.activist_on, held, decided_on):
            errors.add("__all__", message)
        for message in notice_errors(person.candidate_notice_on, decided_on, "确定发展对象"):
            errors.add("__all__", message)
        for message in objection_errors(person, Notice.CANDIDATE, "确定为发展对象"):
            errors.add("__all__", message)
    errors.raise_if_any()
    person.stage = Stage.CANDIDATE
    person.candidate_on = decided_on
    person.candidate_filed_on = filed_on
    person.save()
    add_step(
        actor=actor,
        person=person,
        action="确定为发展对象",
        on=decided_on,
        note=f"{filed_on:%Y-%m-%d}报上级党委备案",
        backdate_reason=backdate_reason,
    )


@transaction.atomic
def record_review(
    *,
    actor: Actor | None,
    person: Person,
    on: dt.date,
    conclusion: str,
    passed: bool,
    backdate_reason: str = "",
) -> None:
    """D-08 政审 with its written conclusion."""
    person, errors = _open_step(actor, person, Stage.CANDIDATE, action="政治审查")
    if not conclusion.strip():
        errors.add("conclusion", rules.msg("D-08", "政治审查须形成书面结论"))
    check_day(
        errors,
        "on",
        on,
        label="政审日期",
        after=person.candidate_on,
        after_label="确定为发展对象日期",
        backdate_reason=backdate_reason,
    )
    _close_step(
        actor,
        person,
        errors,
        facts={"review_on": on, "review_conclusion": conclusion.strip(), "review_passed": passed},
        step="政治审查" + ("（合格）" if passed else "（不合格）"),
        on=on,
        note=conclusion.strip()[:200],
        backdate_reason=backdate_reason,
    )


@transaction.atomic
def record_training(
    *,
    actor: Actor | None,
    person: Person,
    until: dt.date,
    days: Decimal | None,
    hours: Decimal | None,
    backdate_reason: str = "",
) -> None:
    """D-09: the candidate's short concentrated training, at least 3 days or 24 学时."""
    person, errors = _open_step(actor, person, Stage.CANDIDATE, action="集中培训")
    if not rules.training_enough(days, hours):
        errors.add(
            "days",
            rules.msg("D-09", f"集中培训一般不少于{d.TRAINING_MIN_DAYS}天或{d.TRAINING_MIN_HOURS}学时"),
        )
    check_day(
        errors,
        "until",
        until,
        label="结业日期",
        after=person.candidate_on,
        after_label="确定为发展对象日期",
        backdate_reason=backdate_reason,
    )
    _close_step(
        actor,
        person,
        errors,
        facts={"training_until": until, "training_days": days, "training_hours": hours},
        step="集中培训结业",
        on=until,
        note=f"{days or 0}天，{hours or 0}学时",
        backdate_reason=backdate_reason,
    )


def review_errors(person: Person, day: dt.date) -> list[str]:
    """D-08: a passed review with a conclusion, still valid on `day` (U: 12 months)."""
    if not person.review_on or not person.review_conclusion:
        return [rules.msg("D-08", "未经政治审查，不能发展")]
    if not person.review_passed:
        return [rules.msg("D-08", "政治审查不合格，不能发展")]
    valid = d.setting("POLITICS_REVIEW_VALID_MONTHS")
    if valid and day > rules.add_months(person.review_on, valid):
        return [rules.msg("D-08", f"政审结论已超过{valid}个月有效期，请重新政审")]
    return []


@transaction.atomic
def record_pre_review(
    *, actor: Actor | None, person: Person, on: dt.date, form_issued_on: dt.date, backdate_reason: str = ""
) -> None:
    """D-10: the 基层党委's 预审, then the 入党志愿书; needs sponsors (D-07), 政审 (D-08), training (D-09)."""
    person, errors = _open_step(
        actor, person, Stage.CANDIDATE, action="预审", once=("pre_review_on", "__all__", "已登记预审")
    )
    check_day(
        errors,
        "on",
        on,
        label="预审日期",
        after=person.candidate_on,
        after_label="确定为发展对象日期",
        backdate_reason=backdate_reason,
    )
    check_day(
        errors,
        "form_issued_on",
        form_issued_on,
        label="发放志愿书日期",
        after=on,
        after_label="预审日期",
        backdate_reason=backdate_reason,
    )
    sponsors = Link.objects.current().filter(person=person, kind=Link.Kind.SPONSOR).count()
    if sponsors != d.SPONSORS:
        errors.add("__all__", rules.msg("D-07", f"须有{d.SPONSORS}名入党介绍人"))
    for message in review_errors(person, on or timezone.localdate()):
        errors.add("__all__", message)
    if not rules.training_enough(person.training_days, person.training_hours):
        errors.add("__all__", rules.msg("D-09", "尚未完成发展对象集中培训"))
    _close_step(
        actor,
        person,
        errors,
        facts={"pre_review_on": on, "form_issued_on": form_issued_on},
        step="上级党委预审通过，发放入党志愿书",
        on=on,
        note=f"志愿书{form_issued_on:%Y-%m-%d}发放",
        backdate_reason=backdate_reason,
    )


def _tally(
    person: Person, record: MeetingRecord, *, yes: int, no: int, abstain: int, written: int, errors: Errors
) -> tuple[dt.date, int, int]:
    """The meeting's date and its voters as organizational life stored them (Q-01: members under 留党察看,
    orgs.Discipline, have no vote, so the record already leaves them out of the due and the present count),
    checked against D-12. One count for the meeting's page and for this vote."""
    if record.org_id != person.org_id or record.meeting_type != MeetingType.GENERAL_ASSEMBLY:
        errors.add("record", rules.msg("D-12", "须在本支部的支部党员大会上表决"))
    if record.status not in VOTABLE or record.eligible_voters is None or record.present_voters is None:
        errors.add("record", "该支部党员大会纪实尚未提交，没有到会人数")
        return timezone.localdate(), 0, 0
    held_on = timezone.localtime(record.started_at).date()
    eligible, present = record.eligible_voters, record.present_voters
    for message in rules.assembly_errors(
        eligible=eligible, present=present, written=written, yes=yes, no=no, abstain=abstain
    ):
        errors.add("yes", message)
    return held_on, eligible, present


@transaction.atomic
def record_admission_vote(
    *,
    actor: Actor | None,
    person: Person,
    record: MeetingRecord,
    yes: int,
    no: int,
    abstain: int,
    written: int = 0,
) -> tuple[Vote, list[str]]:
    """D-12: the 支部大会 votes on this candidate alone; passed, its date is the resolution date that
    starts the probation (D-14) and the dues (D-20)."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.CANDIDATE, action="支部大会讨论接收预备党员")
    errors = Errors()
    if person.resolution_on:
        errors.add("__all__", "支部大会已通过接收决议")
    if not person.form_issued_on:
        errors.add("__all__", rules.msg("D-10", "未经上级党委预审、未填写入党志愿书，不能提交支部大会"))
    if Vote.objects.filter(person=person, record=record, kind=Vote.Kind.ADMISSION).exists():
        errors.add("record", rules.msg("D-12", "该次会议已对该同志表决"))
    held_on, eligible, present = _tally(
        person, record, yes=yes, no=no, abstain=abstain, written=written, errors=errors
    )
    if person.form_issued_on and held_on < person.form_issued_on:
        errors.add("record", "支部大会不能早于发放入党志愿书")
    for message in review_errors(person, held_on):
        errors.add("__all__", message)
    for message in notice_errors(person.probation_notice_on, held_on, "支部大会讨论接收预备党员"):
        errors.add("__all__", message)
    for message in objection_errors(person, Notice.PROBATION, "提交支部大会讨论"):
        errors.add("__all__", message)
    errors.raise_if_any()
    passed = rules.assembly_passed(eligible=eligible, yes=yes)
    vote = Vote.objects.create(
        person=person,
        record=record,
        kind=Vote.Kind.ADMISSION,
        held_on=held_on,
        eligible=eligible,
        present=present,
        written=written,
        yes=yes,
        no=no,
        abstain=abstain,
        passed=passed,
    )
    warnings = [w for w in [rules.leaving_warning(person.expected_leave_on, held_on)] if w]
    if passed:
        person.resolution_on = held_on
        person.save(update_fields=["resolution_on", "updated_at"])
    outcome = "通过" if passed else "未通过"
    add_step(
        actor=actor,
        person=person,
        action=f"支部大会表决接收预备党员（{outcome}）",
        on=held_on,
        note=f"应到{eligible}，实到{present}，赞成{yes}、反对{no}、弃权{abstain}，书面意见{written}",
    )
    return vote, warnings


def _member_data(member: Member, **changes: object) -> MemberData:
    data = MemberData(
        name=member.name,
        id_number=personal.decrypt(member.id_number_enc),
        category=member.category,
        joined_on=member.joined_on,
        org=member.org,
        gender=member.gender,
        birth_date=member.birth_date,
        ethnicity=member.ethnicity,
        education=member.education,
        full_member_on=member.full_member_on,
        party_group=member.party_group,
        phone=personal.decrypt(member.phone_enc) if member.phone_enc else "",
        occupation=member.occupation,
        status=member.status,
        is_exempt=member.is_exempt,
        exempt_reason=member.exempt_reason,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


@transaction.atomic
def approve_admission(
    *,
    actor: Actor | None,
    person: Person,
    talk_on: dt.date,
    approved_on: dt.date,
    late_reason: str = "",
    backdate_reason: str = "",
) -> tuple[Member, list[str]]:
    """D-13: the 党委 talks with the candidate and approves within 3 months of the resolution (a reason
    beyond that), never beyond 6. The person becomes a 预备党员 in the roster with 入党时间 = the
    resolution date (D-14), probation one year from it (D-15). Beyond the node's annual plan (名额) it
    warns, or refuses when the department made the plan binding (services.quotas)."""
    person = _lock(person)
    require_approver(actor, person)
    require_stage(person, Stage.CANDIDATE, action="党委审批")
    errors = Errors()
    if not person.resolution_on:
        raise ValidationError({"__all__": [rules.msg("D-12", "支部大会尚未通过接收决议")]})
    check_day(
        errors,
        "talk_on",
        talk_on,
        label="党委谈话日期",
        after=person.resolution_on,
        after_label="支部大会决议日期",
        backdate_reason=backdate_reason,
    )
    check_day(
        errors,
        "approved_on",
        approved_on,
        label="审批日期",
        after=talk_on or person.resolution_on,
        after_label="党委谈话日期",
        backdate_reason=backdate_reason,
    )
    warn_by, hard_by = rules.approval_deadlines(person.resolution_on)
    quota_errors, warnings = quota_check(person.org, approved_on.year) if approved_on else ([], [])
    for message in quota_errors:
        errors.add("approved_on", message)
    if approved_on and approved_on > hard_by:
        errors.add(
            "approved_on",
            rules.msg(
                "D-13", f"党委审批超过6个月（决议{person.resolution_on:%Y-%m-%d}，最迟{hard_by:%Y-%m-%d}）"
            ),
        )
    elif approved_on and approved_on > warn_by and not late_reason.strip():
        errors.add(
            "late_reason",
            rules.msg("D-13", f"党委审批超过3个月（应在{warn_by:%Y-%m-%d}前），特殊情况须说明原因"),
        )
    errors.raise_if_any()
    data = MemberData(
        name=person.name,
        id_number=personal.decrypt(person.id_number_enc),
        category=Member.Category.PROBATIONARY,
        joined_on=person.resolution_on,
        org=person.org,
        gender=person.gender,
        birth_date=person.birth_date,
        education=person.education,
        phone=personal.decrypt(person.phone_enc) if person.phone_enc else "",
        occupation=person.occupation,
    )
    member = create_member(actor=actor, data=data) if actor is not None else _system_member(data)
    person.member = member
    person.stage = Stage.PROBATIONARY
    person.party_talk_on, person.approved_on = talk_on, approved_on
    person.probation_ends_on = rules.probation_end(person.resolution_on)
    person.save()
    add_step(
        actor=actor,
        person=person,
        action="党委审批为预备党员",
        on=approved_on,
        note="；".join(x for x in [f"党委谈话{talk_on:%Y-%m-%d}", late_reason.strip(), *warnings] if x),
        backdate_reason=backdate_reason,
    )
    return member, warnings


def _system_member(data: MemberData) -> Member:
    return add_members(actor=None, rows=[data])[0]


@transaction.atomic
def record_oath(*, actor: Actor | None, person: Person, on: dt.date, backdate_reason: str = "") -> None:
    """D-19: the 预备党员 takes the oath before the party flag."""
    person, errors = _open_step(
        actor,
        person,
        Stage.PROBATIONARY,
        Stage.FULL,
        action="入党宣誓",
        once=("oath_on", "on", "已登记入党宣誓"),
    )
    check_day(
        errors,
        "on",
        on,
        label="宣誓日期",
        after=person.approved_on,
        after_label="党委审批日期",
        backdate_reason=backdate_reason,
    )
    _close_step(
        actor, person, errors, facts={"oath_on": on}, step="入党宣誓", on=on, backdate_reason=backdate_reason
    )


@transaction.atomic
def record_conversion_vote(
    *,
    actor: Actor | None,
    person: Person,
    record: MeetingRecord,
    kind: str,
    yes: int,
    no: int,
    abstain: int,
    written: int = 0,
    extension_months: int | None = None,
) -> Vote:
    """D-16: at the end of probation the 支部大会 votes to convert, to extend once by 6–12 months, or to
    cancel; each outcome then needs the 党委's approval (D-17)."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.PROBATIONARY, action="转正讨论")
    assert person.probation_ends_on is not None
    errors = Errors()
    if kind not in (Vote.Kind.CONVERSION, Vote.Kind.EXTENSION, Vote.Kind.CANCEL):
        raise ValidationError({"kind": ["表决事项无效"]})
    if person.conversion_resolution_on:
        errors.add("__all__", "已有待党委审批的决议")
    held_on, eligible, present = _tally(
        person, record, yes=yes, no=no, abstain=abstain, written=written, errors=errors
    )
    if Vote.objects.filter(person=person, record=record, kind=kind).exists():
        errors.add("record", rules.msg("D-12", "该次会议已就该事项对该同志表决"))
    if kind == Vote.Kind.CONVERSION and held_on < person.probation_ends_on:
        errors.add(
            "record", rules.msg("D-15", f"预备期{person.probation_ends_on:%Y-%m-%d}期满，期满后方可讨论转正")
        )
    if kind == Vote.Kind.EXTENSION:
        if person.extended_months:
            errors.add("extension_months", rules.msg("D-16", "预备期只能延长一次"))
        if (
            extension_months is None
            or not d.EXTENSION_MIN_MONTHS <= extension_months <= d.EXTENSION_MAX_MONTHS
        ):
            errors.add(
                "extension_months",
                rules.msg(
                    "D-16",
                    f"延长预备期不少于{d.EXTENSION_MIN_MONTHS}个月、不超过{d.EXTENSION_MAX_MONTHS}个月",
                ),
            )
    if person.approved_on and held_on < person.approved_on:
        errors.add("record", "会议不能早于党委审批接收预备党员")
    errors.raise_if_any()
    passed = rules.assembly_passed(eligible=eligible, yes=yes)
    vote = Vote.objects.create(
        person=person,
        record=record,
        kind=kind,
        held_on=held_on,
        eligible=eligible,
        present=present,
        written=written,
        yes=yes,
        no=no,
        abstain=abstain,
        passed=passed,
        extension_months=extension_months if kind == Vote.Kind.EXTENSION else None,
    )
    if passed:
        person.conversion_resolution_on = held_on
        person.conversion_outcome = kind
        person.save(update_fields=["conversion_resolution_on", "conversion_outcome", "updated_at"])
    label = Vote.Kind(kind).label
    add_step(
        actor=actor,
        person=person,
        action=f"支部大会表决{label}（{'通过' if passed else '未通过'}）",
        on=held_on,
        note=f"应到{eligible}，实到{present}，赞成{yes}、反对{no}、弃权{abstain}，书面意见{written}",
    )
    return vote


@transaction.atomic
def approve_conversion(
    *, actor: Actor | None, person: Person, approved_on: dt.date, backdate_reason: str = ""
) -> None:
    """D-17: the 党委 approves the branch's resolution within 3 months. 转正: a full member from the end of
    the probation (D-18 党龄); extension: the probation runs on (D-16); cancellation: the member leaves."""
    person = _lock(person)
    require_approver(actor, person)
    require_stage(person, Stage.PROBATIONARY, action="审批转正等决议")
    if not person.conversion_resolution_on or not person.probation_ends_on:
        raise ValidationError({"__all__": ["支部大会尚未通过转正、延长预备期或取消资格的决议"]})
    errors = Errors()
    check_day(
        errors,
        "approved_on",
        approved_on,
        label="审批日期",
        after=person.conversion_resolution_on,
        after_label="支部大会决议日期",
        backdate_reason=backdate_reason,
    )
    due = rules.conversion_approval_due(person.conversion_resolution_on)
    if approved_on and approved_on > due:
        errors.add(
            "approved_on",
            rules.msg(
                "D-17",
                f"党委审批超过3个月（决议{person.conversion_resolution_on:%Y-%m-%d}，最迟{due:%Y-%m-%d}）",
            ),
        )
    errors.raise_if_any()
    outcome = person.conversion_outcome
    member = person.member
    if outcome == Vote.Kind.CONVERSION:
        person.stage = Stage.FULL
        person.full_member_on = person.probation_ends_on
        person.conversion_approved_on = approved_on
        if member is not None:
            _update_member(
                actor, member, category=Member.Category.FULL, full_member_on=person.probation_ends_on
            )
        action = "党委审批按期转正" if not person.extended_months else "党委审批转正（延长预备期后）"
    elif outcome == Vote.Kind.EXTENSION:
        vote = person.votes.filter(kind=Vote.Kind.EXTENSION, passed=True).order_by("-held_on", "-id").first()
        assert vote is not None and vote.extension_months
        person.extended_months = vote.extension_months
        person.probation_ends_on = rules.probation_end(
            person.resolution_on or person.probation_ends_on, vote.extension_months
        )
        action = f"党委审批延长预备期{vote.extension_months}个月"
    else:
        person.stage = Stage.CANCELLED
        person.ended_on = approved_on
        person.end_reason = "取消预备党员资格"
        if member is not None:
            _update_member(actor, member, status=Member.Status.LEFT)
        action = "党委审批取消预备党员资格"
    person.conversion_resolution_on = None
    person.conversion_outcome = ""
    person.save()
    add_step(actor=actor, person=person, action=action, on=approved_on, backdate_reason=backdate_reason)


def _update_member(actor: Actor | None, member: Member, **changes: object) -> None:
    if actor is None:
        for name, value in changes.items():
            setattr(member, name, value)
        member.save()
        return
    update_member(actor=actor, member=member, data=_member_data(member, **changes))


@transaction.atomic
def end_development(
    *, actor: Actor | None, person: Person, on: dt.date, reason: str, backdate_reason: str = ""
) -> None:
    """Cancellation before admission (the applicant withdraws, moves away, is not developed…). A 预备党员's
    membership ends only through a 支部大会 vote and approval (D-16)."""
    person = _lock(person)
    require_branch_write(actor, person)
    require_stage(person, Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, action="终止发展")
    errors = Errors()
    if not reason.strip():
        errors.add("reason", "请说明终止原因")
    if person.resolution_on:
        errors.add("__all__", "支部大会已通过接收决议，请由党委审批")
    check_day(
        errors,
        "on",
        on,
        label="终止日期",
        after=person.applied_on,
        after_label="递交申请日期",
        backdate_reason=backdate_reason,
    )
    errors.raise_if_any()
    person.stage = Stage.CANCELLED
    person.ended_on, person.end_reason = on, reason.strip()
    person.save()
    add_step(
        actor=actor,
        person=person,
        action="终止发展",
        on=on,
        note=reason.strip(),
        backdate_reason=backdate_reason,
    )


@transaction.atomic
def add_discipline(
    *, actor: Actor | None, member: Member, starts_on: dt.date, ends_on: dt.date | None, note: str
) -> Discipline:
    """留党察看 with its dates (bars sponsoring, D-07, and voting, Q-01)."""
    if actor is not None:
        require_write(actor, member.org)
    errors = Errors()
    if not note.strip():
        errors.add("note", "请填写处分决定")
    if ends_on and ends_on <= starts_on:
        errors.add("ends_on", "恢复权利日期应晚于开始日期")
    errors.raise_if_any()
    item = Discipline.objects.create(member=member, starts_on=starts_on, ends_on=ends_on, note=note.strip())
    recounted = recount_for_discipline(
        item
    )  # the 党员大会 records it reaches stop counting the member
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=item,
        org=member.org,
        summary={
            "event": "development.discipline",
            "starts_on": starts_on.isoformat(),
            "assemblies_recounted": recounted,
        },
        actor_name="" if actor is not None else "system",
    )
    return item
