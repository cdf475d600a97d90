"""The steps a page can take on a person's file: the form, the service it calls, when it is offered.

A plain table (slug → Step): the file page shows the steps open at the person's stage, and one view
(views.pipeline.person_step) parses the step's form and calls its service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from development import forms as f
from development.models import Link, Person, Stage
from development.services import pipeline as svc

Call = Callable[[Any, Person, dict[str, Any]], list[str] | None]


@dataclass(frozen=True)
class Step:
    title: str
    form: type[f.BaseForm]
    call: Call
    stages: tuple[str, ...]
    approver: bool = False  # a 党(工)委 step (D-13, D-17)
    takes_person: bool = False  # the form's choices depend on the person

    def offered(self, person: Person) -> bool:
        return person.stage in self.stages


def _talk(actor: Any, p: Person, c: dict[str, Any]) -> list[str]:
    return svc.record_talk(actor=actor, person=p, **c)


def _activist(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.make_activist(actor=actor, person=p, **c)


def _links(kind: str) -> Call:
    def call(actor: Any, p: Person, c: dict[str, Any]) -> None:
        svc.set_links(actor=actor, person=p, kind=kind, members=list(c.pop("members")), **c)

    return call


def _assessment(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.add_assessment(actor=actor, person=p, **c)


def _notice(kind: str) -> Call:
    def call(actor: Any, p: Person, c: dict[str, Any]) -> None:
        svc.publish_notice(actor=actor, person=p, kind=kind, **c)

    return call


def _candidate(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.make_candidate(actor=actor, person=p, **c)


def _review(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.record_review(actor=actor, person=p, **c)


def _training(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.record_training(actor=actor, person=p, **c)


def _pre_review(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.record_pre_review(actor=actor, person=p, **c)


def _admission_vote(actor: Any, p: Person, c: dict[str, Any]) -> list[str]:
    vote, warnings = svc.record_admission_vote(actor=actor, person=p, **c)
    return [*warnings, "表决通过" if vote.passed else "表决未通过（赞成票未超过应到会有表决权党员的半数）"]


def _approve(actor: Any, p: Person, c: dict[str, Any]) -> list[str]:
    return svc.approve_admission(actor=actor, person=p, **c)[1]


def _oath(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.record_oath(actor=actor, person=p, **c)


def _conversion_vote(actor: Any, p: Person, c: dict[str, Any]) -> list[str]:
    vote = svc.record_conversion_vote(actor=actor, person=p, **c)
    return ["表决通过" if vote.passed else "表决未通过"]


def _approve_conversion(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.approve_conversion(actor=actor, person=p, **c)


def _end(actor: Any, p: Person, c: dict[str, Any]) -> None:
    svc.end_development(actor=actor, person=p, **c)


A, AC, C, P = Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY
STEPS: dict[str, Step] = {
    "talk": Step("登记谈话（D-03）", f.TalkForm, _talk, (A,)),
    "activist": Step("确定为入党积极分子（D-04）", f.ActivistForm, _activist, (A,)),
    "contacts": Step(
        "确定培养联系人（D-05）", f.LinksForm, _links(Link.Kind.CONTACT), (AC, C), takes_person=True
    ),
    "assessment": Step("培养考察（D-05）", f.AssessmentForm, _assessment, (AC, C)),
    "candidate_notice": Step("拟确定发展对象公示（D-22）", f.NoticeForm, _notice("candidate"), (AC,)),
    "candidate": Step("确定为发展对象（D-06）", f.DecisionForm, _candidate, (AC,)),
    "sponsors": Step(
        "确定入党介绍人（D-07）", f.LinksForm, _links(Link.Kind.SPONSOR), (C,), takes_person=True
    ),
    "review": Step("政治审查（D-08）", f.ReviewForm, _review, (C,)),
    "training": Step("集中培训（D-09）", f.TrainingForm, _training, (C,)),
    "pre_review": Step("预审并发放志愿书（D-10）", f.PreReviewForm, _pre_review, (C,)),
    "probation_notice": Step("拟接收预备党员公示（D-22）", f.NoticeForm, _notice("probation"), (C,)),
    "admission_vote": Step("支部大会表决（D-12）", f.VoteForm, _admission_vote, (C,), takes_person=True),
    "approve": Step("党委谈话并审批（D-13）", f.ApprovalForm, _approve, (C,), approver=True),
    "oath": Step("入党宣誓（D-19）", f.DateForm, _oath, (P,)),
    "conversion_vote": Step(
        "支部大会讨论转正（D-16）", f.ConversionVoteForm, _conversion_vote, (P,), takes_person=True
    ),
    "approve_conversion": Step(
        "党委审批转正等决议（D-17）", f.ConversionApprovalForm, _approve_conversion, (P,), approver=True
    ),
    "end": Step("终止发展", f.EndForm, _end, (A, AC, C)),
}


def form_for(slug: str, person: Person, data: Any = None) -> f.BaseForm:
    step = STEPS[slug]
    kwargs: dict[str, Any] = {"prefix": slug}
    if step.takes_person:
        kwargs["person"] = person
    return step.form(data, **kwargs)
