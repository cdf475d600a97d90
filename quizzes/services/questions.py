"""Writing the question bank: categories, questions (every edit a new version), retiring, and the rules a
question must meet, shared by the form, the API and every importer (xlsx, Aiken, GIFT)."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import holds
from orgs.models import Organization
from quizzes.models import Category, Difficulty, Question, QuestionVersion, Tag
from quizzes.roles import BANK_ROLES

JUDGE_OPTIONS = ["正确", "错误"]
MAX_OPTIONS = 8
MAX_STEM = 2000


@dataclass
class QuestionData:
    """A question as typed: options' texts; answer as option indexes, or for 填空 the accepted variants of
    each blank."""

    kind: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: list[Any] = field(default_factory=list)
    explanation: str = ""
    source: str = ""
    difficulty: int = Difficulty.MEDIUM
    tags: list[str] = field(default_factory=list)


def normalize_text(text: str) -> str:
    """Full-width to half-width, no whitespace or punctuation, case-folded: what two stems or two fill-in
    answers must share to count as the same."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))


def stem_key(stem: str) -> str:
    return hashlib.sha256(normalize_text(stem).encode()).hexdigest()


def letters(indexes: Sequence[int]) -> str:
    return "".join(chr(ord("A") + i) for i in sorted(indexes))


def check_question(data: QuestionData) -> dict[str, list[str]]:
    """The question's faults by field, in Chinese ({} when it is sound). Normalizes `data` in place."""
    errors: dict[str, list[str]] = {}

    def fault(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    data.stem = data.stem.strip()
    data.options = [o.strip() for o in data.options]
    if data.kind not in Question.Kind.values:
        fault("kind", "题型应为：单选、多选、判断、填空")
        return errors
    if not data.stem:
        fault("stem", "请填写题干")
    elif len(data.stem) > MAX_STEM:
        fault("stem", f"题干不能超过 {MAX_STEM} 字")
    if data.difficulty not in Difficulty.values:
        fault("difficulty", "难度应为：易、中、难")
    if data.kind == Question.Kind.JUDGE:
        data.options = list(JUDGE_OPTIONS)
    if data.kind == Question.Kind.FILL:
        data.options = []
        blanks = [[str(v).strip() for v in blank if str(v).strip()] for blank in data.answer]
        if not blanks or any(not b for b in blanks):
            fault("answer", "填空题每个空至少要有一个正确答案")
        data.answer = blanks
        return errors
    if any(not o for o in data.options):
        fault("options", "选项内容不能为空")
    if len(data.options) < 2:
        fault("options", "选择题至少要有两个选项")
    if len(data.options) > MAX_OPTIONS:
        fault("options", f"选项不能超过 {MAX_OPTIONS} 个")
    if len({normalize_text(o) for o in data.options}) < len(data.options):
        fault("options", "选项有重复")
    try:
        answer = sorted({int(a) for a in data.answer})
    except (TypeError, ValueError):
        answer = []
    if any(a < 0 or a >= len(data.options) for a in answer):
        fault("answer", "正确答案不在选项之中")
    elif not answer:
        fault("answer", "请指定正确答案")
    elif data.kind in (Question.Kind.SINGLE, Question.Kind.JUDGE) and len(answer) != 1:
        fault("answer", f"{Question.Kind(data.kind).label}题只能有一个正确答案，现有 {letters(answer)}")
    elif data.kind == Question.Kind.MULTIPLE and len(answer) < 2:
        fault("answer", "多选题至少要有两个正确答案")
    data.answer = answer
    return errors


def require_bank(actor: Any, org: Organization) -> None:
    """The actor may keep `org`'s bank and campaigns. None is the system itself (the demo, a command):
    pages and the API always pass the request's user, anonymous included."""
    if actor is None:
        return
    if not holds(actor, BANK_ROLES, org.path):
        raise PermissionDenied("您无权编辑该题库")


def _tags(names: Sequence[str]) -> list[Tag]:
    wanted = sorted({n.strip()[:30] for n in names if n.strip()})
    found = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in found]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=wanted)) if missing else list(found.values())


@transaction.atomic
def create_category(*, actor: Any, org: Organization, name: str, parent: Category | None = None) -> Category:
    require_bank(actor, org)
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["请填写分类名称"]})
    if parent is not None and parent.org_id != org.pk:
        raise ValidationError({"parent": ["上级分类不属于该题库"]})
    if Category.objects.filter(org=org, parent=parent, name=name).exists():
        raise ValidationError({"name": [f"已有同名分类“{name}”"]})
    return Category.objects.create(org=org, parent=parent, name=name)


def _version(question: Question, data: QuestionData, number: int, actor: Any) -> QuestionVersion:
    return QuestionVersion(
        question=question,
        number=number,
        stem=data.stem,
        options=data.options,
        answer=data.answer,
        explanation=data.explanation.strip(),
        source=data.source.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def create_question(*, actor: Any, category: Category, data: QuestionData) -> Question:
    require_bank(actor, category.org)
    errors = check_question(data)
    if errors:
        raise ValidationError(errors)
    key = stem_key(data.stem)
    if Question.objects.filter(org=category.org, stem_key=key, retired_at__isnull=True).exists():
        raise ValidationError({"stem": ["题库中已有相同题干的题目"]})
    question = Question.objects.create(
        org=category.org, category=category, kind=data.kind, difficulty=data.difficulty, stem_key=key
    )
    question.current = _version(question, data, 1, actor)
    question.current.save()
    question.save(update_fields=["current"])
    question.tags.set(_tags(data.tags))
    record_event(actor=actor, action=AuditEvent.Action.CREATE, target=question, org=category.org)
    return question


@transaction.atomic
def edit_question(*, actor: Any, question: Question, category: Category, data: QuestionData) -> Question:
    """A new version (attempts keep the version they showed); category, difficulty and tags change in
    place, as they describe the question rather than what it says."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    require_bank(actor, question.org)
    if category.org_id != question.org_id:
        raise ValidationError({"category": ["分类不属于该题库"]})
    if data.kind != question.kind:
        raise ValidationError({"kind": ["题型不能修改，请新建题目"]})
    errors = check_question(data)
    if errors:
        raise ValidationError(errors)
    key = stem_key(data.stem)
    clash = Question.objects.filter(org=question.org, stem_key=key, retired_at__isnull=True).exclude(
        pk=question.pk
    )
    if clash.exists():
        raise ValidationError({"stem": ["题库中已有相同题干的题目"]})
    current = question.current
    same = current is not None and (
        current.stem,
        current.options,
        current.answer,
        current.explanation,
        current.source,
    ) == (data.stem, data.options, data.answer, data.explanation.strip(), data.source.strip()[:200])
    if not same:
        number = (current.number if current else 0) + 1
        question.current = _version(question, data, number, actor)
        question.current.save()
    question.category = category
    question.difficulty = data.difficulty
    question.stem_key = key
    question.save()
    question.tags.set(_tags(data.tags))
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=question,
        org=question.org,
        summary={"version": question.current.number if question.current else None},
    )
    return question


@transaction.atomic
def retire_question(*, actor: Any, question: Question, retire: bool = True) -> Question:
    """Retire (or bring back) a question: it is no longer drawn; past attempts keep it."""
    require_bank(actor, question.org)
    question.retired_at = timezone.now() if retire else None
    question.save(update_fields=["retired_at", "updated_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=question,
        org=question.org,
        summary={"retired": retire},
    )
    return question


def add_questions(
    *, actor: Any, org: Organization, items: Sequence[tuple[Category, QuestionData]], audit: bool = True
) -> list[Question]:
    """The bulk path (imports, the demo): every item already checked by check_question; one insert per table."""
    require_bank(actor, org)
    user = actor if getattr(actor, "is_authenticated", False) else None
    questions = [
        Question(org=org, category=cat, kind=d.kind, difficulty=d.difficulty, stem_key=stem_key(d.stem))
        for cat, d in items
    ]
    Question.objects.bulk_create(questions, batch_size=500)
    versions = [_version(q, d, 1, user) for q, (_, d) in zip(questions, items, strict=True)]
    QuestionVersion.objects.bulk_create(versions, batch_size=500)
    for q, v in zip(questions, versions, strict=True):
        q.current = v
    Question.objects.bulk_update(questions, ["current"], batch_size=500)
    names = sorted({t for _, d in items for t in d.tags})
    if names:
        tags = {t.name: t for t in _tags(names)}
        through = Question.tags.through
        links = [
            through(question_id=q.pk, tag_id=tags[n].pk)
            for q, (_, d) in zip(questions, items, strict=True)
            for n in sorted(set(d.tags))
            if n in tags
        ]
        through.objects.bulk_create(links, batch_size=1000)
    if audit:
        record_event(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            target_repr="题库导入",
            org=org,
            summary={"questions": len(questions)},
        )
    return questions
