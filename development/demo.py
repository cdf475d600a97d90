"""The demo county's pipeline: people at every stage in a sample of branches, a few overdue, written
through the pipeline's services (one step at a time, as a branch would enter them, back-dated with a
reason). Admission votes use the 支部党员大会 records of the organizational-life demo."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from audit.models import AuditEvent
from audit.services import record_event
from development import rules
from development.models import Link, Person, Stage
from development.services import dossier, notices, quotas
from development.services import pipeline as svc
from orglife.models import MeetingRecord, MeetingType
from orgs.models import Member, Organization
from personal import idcard

WHY = "演示数据：补录纸质档案"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["晓明", "雨欣", "志强", "佳怡", "浩然", "思琪", "俊杰", "欣怡", "子轩", "梦瑶", "宇航", "静怡"]
# The stage each sampled branch's person is walked to, in turn.
PLAN = [
    "applicant_late",
    "applicant",
    "activist",
    "activist_late",
    "candidate",
    "candidate_ready",
    "voted",
    "voted_late",
    "probationary",
    "cancelled",
]
BRANCHES = {"tiny": 10, "county": 60}


def _full(org: Organization, n: int) -> list[Member]:
    return list(
        Member.objects.filter(org=org, category=Member.Category.FULL, status=Member.Status.NORMAL).order_by(
            "id"
        )[:n]
    )


def _assembly(org: Organization, before: dt.date) -> MeetingRecord | None:
    """A quorate, submitted 支部党员大会 of the branch before `before`, with room for the steps before it."""
    return (
        MeetingRecord.objects.filter(
            org=org,
            meeting_type=MeetingType.GENERAL_ASSEMBLY,
            status__in=svc.VOTABLE,
            quorum_met=True,
            started_at__date__lte=before,
        )
        .order_by("-started_at")
        .first()
    )


class _Gen:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed * 7 + 15)
        self.today = today
        self.seq = 0
        self.objected = (
            False  # the first candidate's notice drew an objection (反映意见), looked into and cleared
        )
        self.counts: dict[str, int] = {}

    def applicant(self, org: Organization, applied_on: dt.date) -> Person:
        self.seq += 1
        birth = dt.date(self.rng.randint(1988, 2004), self.rng.randint(1, 12), self.rng.randint(1, 28))
        person, _ = svc.register_application(
            actor=None,
            org=org,
            name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
            id_number=idcard.make("110101", birth, self.seq),
            applied_on=applied_on,
            phone=f"139{self.rng.randrange(10**8):08d}",
            is_league_member=birth.year >= 1998,
            backdate_reason=WHY,
        )
        return person

    def activist(self, person: Person, on: dt.date, *, assessed: bool = True) -> None:
        svc.record_talk(
            actor=None, person=person, on=person.applied_on + dt.timedelta(days=20), backdate_reason=WHY
        )
        svc.make_activist(
            actor=None,
            person=person,
            nomination="members",
            decided_on=on,
            filed_on=on + dt.timedelta(days=3),
            backdate_reason=WHY,
        )
        svc.set_links(
            actor=None,
            person=person,
            kind=Link.Kind.CONTACT,
            members=_full(person.org, 2),
            on=on,
            backdate_reason=WHY,
        )
        if assessed:
            day = rules.add_months(on, 5)
            while day < self.today:
                svc.add_assessment(
                    actor=None,
                    person=person,
                    held_on=day,
                    summary="思想汇报按时，表现良好",
                    backdate_reason=WHY,
                )
                day = rules.add_months(day, 5)

    def candidate(self, person: Person, on: dt.date) -> None:
        person.refresh_from_db()
        svc.publish_notice(
            actor=None,
            person=person,
            kind="candidate",
            starts_on=on - dt.timedelta(days=10),
            backdate_reason=WHY,
        )
        if not self.objected:
            self.objected = True
            objection = notices.record_objection(
                actor=None,
                person=person,
                notice="candidate",
                received_on=on - dt.timedelta(days=8),
                received_by="支部组织委员",
                content="群众来电反映该同志曾有邻里纠纷未妥善处理。",
                backdate_reason=WHY,
            )
            notices.resolve_objection(
                actor=None,
                objection=objection,
                resolved_on=on - dt.timedelta(days=3),
                handling="支委会派两名委员走访村委会和当事邻居，纠纷已于去年调解结清，当事人无异议。",
                outcome="cleared",
                backdate_reason=WHY,
            )
        svc.make_candidate(
            actor=None, person=person, decided_on=on, filed_on=on + dt.timedelta(days=2), backdate_reason=WHY
        )

    def prepare(self, person: Person, on: dt.date) -> None:
        """Sponsors, 政审, training, 预审 and the notice, all within the 30 days from `on`."""
        svc.set_links(
            actor=None,
            person=person,
            kind=Link.Kind.SPONSOR,
            members=_full(person.org, 2),
            on=on,
            backdate_reason=WHY,
        )
        svc.record_review(
            actor=None,
            person=person,
            on=on + dt.timedelta(days=3),
            conclusion="经函调和外调，政治历史清白，同意发展",
            passed=True,
            backdate_reason=WHY,
        )
        svc.record_training(
            actor=None,
            person=person,
            until=on + dt.timedelta(days=8),
            days=Decimal(3),
            hours=Decimal(24),
            backdate_reason=WHY,
        )
        svc.record_pre_review(
            actor=None,
            person=person,
            on=on + dt.timedelta(days=12),
            form_issued_on=on + dt.timedelta(days=13),
            backdate_reason=WHY,
        )
        svc.publish_notice(
            actor=None,
            person=person,
            kind="probation",
            starts_on=on + dt.timedelta(days=14),
            backdate_reason=WHY,
        )

    def walk(self, org: Organization, goal: str) -> Person | None:
        t = self.today
        if goal in ("applicant", "applicant_late"):
            person = self.applicant(org, t - dt.timedelta(days=45 if goal == "applicant_late" else 10))
            return person
        if goal == "cancelled":
            person = self.applicant(org, t - dt.timedelta(days=120))
            svc.end_development(
                actor=None,
                person=person,
                on=t - dt.timedelta(days=30),
                reason="本人因工作调动撤回申请",
                backdate_reason=WHY,
            )
            return person
        if goal in ("activist", "activist_late"):
            activist_on = t - dt.timedelta(days=200 if goal == "activist" else 300)
            person = self.applicant(org, activist_on - dt.timedelta(days=60))
            self.activist(person, activist_on, assessed=goal == "activist")
            return person
        if goal in ("candidate", "candidate_ready"):
            candidate_on = t - dt.timedelta(days=40)
            activist_on = rules.add_months(candidate_on, -13)
            person = self.applicant(org, activist_on - dt.timedelta(days=60))
            self.activist(person, activist_on)
            self.candidate(person, candidate_on)
            if goal == "candidate_ready":
                self.prepare(person, candidate_on)
            return person
        # voted, voted_late, probationary: the vote is one of the branch's recorded assemblies
        if len(_full(org, 4)) < 4:
            return None
        record = _assembly(
            org, t - dt.timedelta(days={"voted": 20, "voted_late": 100, "probationary": 60}[goal])
        )
        if record is None:
            return None
        vote_day = timezone.localtime(record.started_at).date()
        candidate_on = vote_day - dt.timedelta(days=40)
        activist_on = rules.add_months(candidate_on, -13)
        person = self.applicant(org, activist_on - dt.timedelta(days=60))
        self.activist(person, activist_on)
        self.candidate(person, candidate_on)
        self.prepare(person, candidate_on)
        eligible = record.eligible_voters or 0
        present = record.present_voters or 0
        yes = min(present, eligible // 2 + 1 + self.rng.randrange(max(present - eligible // 2 - 1, 1)))
        svc.record_admission_vote(
            actor=None, person=person, record=record, yes=yes, no=present - yes, abstain=0
        )
        if goal == "probationary":
            svc.approve_admission(
                actor=None,
                person=person,
                talk_on=vote_day + dt.timedelta(days=10),
                approved_on=vote_day + dt.timedelta(days=30),
                backdate_reason=WHY,
            )
            svc.record_oath(
                actor=None, person=person, on=vote_day + dt.timedelta(days=35), backdate_reason=WHY
            )
        return person


def _quotas(year: int, rng: random.Random) -> int:
    """The year's 发展党员计划 (名额), through `set_quota` as the department allocates it: each committee
    directly under the county gets what it admitted so far plus a few still open (one already used up), and
    the county the sum plus a reserve."""
    made = 0
    for root in Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path"):
        children = list(Organization.objects.filter(parent=root, is_active=True).order_by("path"))
        total = 0
        plans = []
        for i, child in enumerate(children):
            done = quotas.admitted(child, year)
            if done == 0 and i % 3:
                continue  # not every committee develops members this year
            plans.append((child, done + (0 if i == 0 else rng.randint(1, 4))))
        total = sum(n for _, n in plans)
        quotas.set_quota(
            actor=None,
            org=root,
            year=year,
            planned=max(total + 5, quotas.admitted(root, year)),
            note="县委组织部年度计划",
        )
        made += 1
        for child, planned in plans:
            quotas.set_quota(actor=None, org=child, year=year, planned=planned, note="组织部分配")
            made += 1
    return made


def _scan(title: str, rng: random.Random) -> SimpleUploadedFile:
    """A page-like grey image standing in for a scanned paper document."""
    img = Image.new("RGB", (620, 877), (246, 244, 238))
    draw = ImageDraw.Draw(img)
    for y in range(120, 800, 28):  # lines of handwriting
        draw.line((60, y, 60 + rng.randint(380, 500), y), fill=(90, 90, 110), width=2)
    draw.rectangle((40, 40, 580, 837), outline=(160, 160, 160), width=2)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{title}.png", buffer.getvalue(), content_type="image/png")


def _dossiers(rng: random.Random) -> int:
    """Dossier documents: most held on paper and checked, and the 入党申请书 of a few people scanned,
    through `mark_document` and `upload_document`. Returns the number of scans."""
    scans = 0
    for i, person in enumerate(Person.objects.exclude(stage=Stage.CANCELLED).order_by("id")):
        lines = dossier.checklist(person)
        for j, line in enumerate(lines):
            if (i + j) % 4 == 3:
                continue  # a few documents still missing
            if j == 0 and i % 3 == 0:
                dossier.upload_document(
                    actor=None,
                    person=person,
                    kind=line.kind,
                    upload=_scan(line.label, rng),
                    note="演示扫描件",
                )
                scans += 1
            else:
                dossier.mark_document(
                    actor=None, person=person, kind=line.kind, on_paper=True, note="纸质原件"
                )
    return scans


def generate_development_demo(*, seed: int, scale: str, today: dt.date | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    today = today or timezone.localdate()
    if Person.objects.exists():
        return {"skipped": True, "reason": "已有发展党员数据"}
    count = BRANCHES.get(scale, BRANCHES["county"])
    branches = list(Organization.objects.branches().filter(is_active=True).order_by("path"))
    if not branches:
        return {"skipped": True, "reason": "尚无党支部"}
    step = max(len(branches) // count, 1)
    gen = _Gen(seed, today)
    made = 0
    skipped: list[str] = []
    with transaction.atomic():
        for i, org in enumerate(branches[::step][:count]):
            for goal in (PLAN[i % len(PLAN)], PLAN[(i + 3) % len(PLAN)]):
                try:
                    with transaction.atomic():
                        person = gen.walk(org, goal)
                except ValidationError as exc:  # a branch whose history does not fit: say so, go on
                    skipped.append(f"{org.display_name} {goal}: {exc.messages[0]}")
                    continue
                if person is not None:
                    made += 1
        quotas = _quotas(today.year, gen.rng)
        scans = _dossiers(gen.rng)
    result = {
        "skipped": False,
        "people": made,
        "quotas": quotas,
        "scans": scans,
        "not_fitting": skipped,
        "seconds": round(time.perf_counter() - started, 1),
    }
    record_event(
        actor=None,
        actor_name="development_demo",
        action=AuditEvent.Action.IMPORT,
        target_repr="发展党员演示数据",
        summary={"people": made, "not_fitting": len(skipped)},
    )
    return result
