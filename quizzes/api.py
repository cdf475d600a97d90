"""The question bank and quizzes under /api/v1/quizzes/: the same services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from orgs.access import get_for_user, has_any_scope, own_member_id
from orgs.api_errors import service_errors
from orgs.models import Member, Organization, Position
from quizzes import services
from quizzes.models import Attempt, Campaign, Category, Difficulty, Question
from quizzes.services import QuestionData
from quizzes.services.attempts import Refused


def _u(request: Request) -> User:
    return cast(User, request.user)


def _require_staff(request: Request) -> None:
    if not has_any_scope(request.user):
        raise Http404("未找到")


class QuestionSerializer(serializers.ModelSerializer[Question]):
    stem = serializers.CharField(source="current.stem", read_only=True)
    options = serializers.JSONField(source="current.options", read_only=True)
    answer = serializers.JSONField(source="current.answer", read_only=True)
    explanation = serializers.CharField(source="current.explanation", read_only=True)
    document = serializers.CharField(source="current.source", read_only=True, help_text="出处")
    version = serializers.IntegerField(source="current.number", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")  # type: ignore[var-annotated]

    class Meta:
        model = Question
        fields = [
            "id",
            "org",
            "category",
            "kind",
            "difficulty",
            "stem",
            "options",
            "answer",
            "explanation",
            "document",
            "version",
            "tags",
            "retired_at",
            "times_drawn",
        ]


class QuestionWriteSerializer(serializers.Serializer[Any]):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    stem = serializers.CharField(max_length=2000)
    options = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=8)
    answer = serializers.ListField(
        child=serializers.JSONField(),
        max_length=20,
        help_text="选项序号（从 0 起）；填空题为每空可接受答案的列表",
    )
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    document = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="出处")
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=20)

    def data_out(self) -> QuestionData:
        d = self.validated_data
        return QuestionData(
            kind=d["kind"],
            stem=d["stem"],
            options=list(d.get("options", [])),
            answer=list(d["answer"]),
            explanation=d.get("explanation", ""),
            source=d.get("document", ""),
            difficulty=int(d["difficulty"]),
            tags=list(d.get("tags", [])),
        )


class QuizRetireSerializer(serializers.Serializer[Any]):
    retire = serializers.BooleanField(default=True)


class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Question]):
    """题库: read by every staff role over the bank's node or below it; written by the bank roles."""

    serializer_class = QuestionSerializer

    def get_queryset(self) -> QuerySet[Question]:
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        _require_staff(self.request)
        qs = Question.objects.visible_to(self.request.user).select_related("current").prefetch_related("tags")
        p = self.request.query_params
        if p.get("q"):
            qs = qs.filter(Q(current__stem__icontains=p["q"]) | Q(current__source__icontains=p["q"]))
        if (p.get("category") or "").isdigit():
            qs = qs.filter(category_id=int(p["category"]))
        if p.get("kind") in Question.Kind.values:
            qs = qs.filter(kind=p["kind"])
        return qs.order_by("-pk")

    def get_object(self) -> Question:
        return get_for_user(Question.objects.select_related("current"), self.request.user, self.kwargs["pk"])

    def _category(self, request: Request, s: QuestionWriteSerializer) -> Category:
        category = s.validated_data["category"]
        return get_for_user(Category.objects.select_related("org"), request.user, category.pk, write=True)

    @extend_schema(summary="新建题目", request=QuestionWriteSerializer, responses={201: QuestionSerializer})
    def create(self, request: Request) -> Response:
        _require_staff(request)
        s = QuestionWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        category = self._category(request, s)
        with service_errors():
            question = services.create_question(actor=_u(request), category=category, data=s.data_out())
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改题目（生成新版本）", request=QuestionWriteSerializer, responses=QuestionSerializer
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        question = get_for_user(
            Question.objects.select_related("current", "org"), request.user, pk, write=True
        )
        s = QuestionWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        category = self._category(request, s)
        with service_errors():
            question = services.edit_question(
                actor=_u(request), question=question, category=category, data=s.data_out()
            )
        return Response(QuestionSerializer(question).data)

    @extend_schema(summary="停用或恢复题目", request=QuizRetireSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        question = get_for_user(
            Question.objects.select_related("current", "org"), request.user, pk, write=True
        )
        s = QuizRetireSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            question = services.retire_question(
                actor=_u(request), question=question, retire=s.validated_data["retire"]
            )
        return Response(QuestionSerializer(question).data)


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "org",
            "title",
            "purpose",
            "starts_at",
            "ends_at",
            "quotas",
            "question_count",
            "time_limit_minutes",
            "attempts_allowed",
            "pass_mark",
            "partial_multiple",
            "review_after_close",
            "points_on_pass",
            "titles",
            "status",
        ]
        read_only_fields = ["question_count", "status", "titles"]


class QuizQuotaSerializer(serializers.Serializer[Any]):
    category = serializers.IntegerField()
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, allow_null=True, required=False)
    count = serializers.IntegerField(min_value=1, max_value=200)


class CampaignWriteSerializer(serializers.Serializer[Any]):
    org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    title = serializers.CharField(max_length=80)
    purpose = serializers.ChoiceField(choices=Campaign.Purpose.choices, default=Campaign.Purpose.EXAM)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    quotas = QuizQuotaSerializer(many=True)
    time_limit_minutes = serializers.IntegerField(min_value=1, max_value=600)
    attempts_allowed = serializers.IntegerField(min_value=1, max_value=20, default=1)
    pass_mark = serializers.IntegerField(min_value=0, max_value=100, default=60)
    partial_multiple = serializers.BooleanField(default=False)
    review_after_close = serializers.BooleanField(default=True)
    points_on_pass = serializers.BooleanField(default=True)
    titles = serializers.ListField(
        child=serializers.ChoiceField(choices=Position.Title.choices),
        required=False,
        default=list,
        help_text="限定职务（不填为范围内全体党员）",
    )
    member_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="指定党员（须在范围内）"
    )


class QuizReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class ShownItemSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(source="question_id")
    position = serializers.IntegerField()
    kind = serializers.CharField(source="question.kind")
    stem = serializers.CharField(source="version.stem")
    options = serializers.SerializerMethodField(help_text="[选项序号, 文字]，按本次答卷的顺序")
    blanks = serializers.SerializerMethodField()
    response = serializers.JSONField()

    def get_options(self, item: Any) -> list[list[Any]]:
        return [[i, item.version.options[i]] for i in item.order]

    def get_blanks(self, item: Any) -> int:
        return len(item.version.answer) if item.question.kind == Question.Kind.FILL else 0


class AttemptSerializer(serializers.ModelSerializer[Attempt]):
    items = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "campaign",
            "member",
            "practice_on",
            "number",
            "started_at",
            "deadline",
            "submitted_at",
            "status",
            "score",
            "passed",
            "refused_answers",
            "items",
        ]

    @extend_schema_field(ShownItemSerializer(many=True))
    def get_items(self, attempt: Attempt) -> list[dict[str, Any]]:
        items = attempt.items.select_related("version", "question").order_by("position")
        return list(ShownItemSerializer(items, many=True).data)


class QuizAnswersSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="{题目 id: [选项序号…] 或 [每空的答案…]}", required=False
    )


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Campaign]):
    """答题活动: staff read those over or under their nodes; the bank roles publish and void; members start."""

    serializer_class = CampaignSerializer

    def get_queryset(self) -> QuerySet[Campaign]:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        member_id = own_member_id(self.request.user)
        if has_any_scope(self.request.user):
            return Campaign.objects.visible_to(self.request.user)
        if member_id:
            member = Member.objects.select_related("org").get(pk=member_id)
            return Campaign.objects.for_member(member).filter(status=Campaign.Status.PUBLISHED)
        raise Http404("未找到")

    def get_object(self) -> Campaign:
        try:
            return self.get_queryset().select_related("org").get(pk=int(self.kwargs["pk"]))
        except (Campaign.DoesNotExist, ValueError):
            raise Http404("未找到该答题活动") from None

    @extend_schema(
        summary="发布答题活动", request=CampaignWriteSerializer, responses={201: CampaignSerializer}
    )
    def create(self, request: Request) -> Response:
        _require_staff(request)
        s = CampaignWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        org = get_for_user(Organization.objects.all(), request.user, data.pop("org").pk)
        data["quotas"] = [dict(q) for q in data["quotas"]]
        with service_errors():
            campaign = services.create_campaign(actor=_u(request), org=org, **data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="作废答题活动（冲正积分）", request=QuizReasonSerializer, responses=CampaignSerializer
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str) -> Response:
        campaign = get_for_user(Campaign.objects.select_related("org"), request.user, pk, write=True)
        s = QuizReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            campaign = services.void_campaign(
                actor=_u(request), campaign=campaign, reason=s.validated_data["reason"]
            )
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(summary="开始或继续答题（党员本人）", request=None, responses={201: AttemptSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        if not own_member_id(request.user):
            raise Http404("未找到")
        campaign = self.get_object()
        with service_errors():
            attempt = services.start_attempt(actor=_u(request), campaign=campaign)
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class AttemptViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Attempt]):
    """Answer sheets: the member's own, and those of members in a staff user's scope (read only)."""

    serializer_class = AttemptSerializer

    def get_queryset(self) -> QuerySet[Attempt]:
        if getattr(self, "swagger_fake_view", False):
            return Attempt.objects.none()
        return Attempt.objects.visible_to(self.request.user)

    def get_object(self) -> Attempt:
        return get_for_user(Attempt.objects.all(), self.request.user, self.kwargs["pk"])

    def _call(self, pk: str, fn: Any, answers: dict[str, Any]) -> Response:
        if not Attempt.objects.filter(pk=int(pk) if pk.isdigit() else 0).exists():
            raise Http404("未找到答卷")
        try:
            with service_errors():
                attempt = fn(actor=_u(self.request), attempt_id=int(pk), answers=answers)
        except PermissionDenied:
            raise Http404("未找到答卷") from None  # someone else's sheet: refused, counted, not revealed
        except serializers.ValidationError as exc:
            if isinstance(exc.__cause__, Refused):
                return Response(exc.detail, status=status.HTTP_409_CONFLICT)
            raise
        return Response(AttemptSerializer(attempt).data)

    @extend_schema(summary="保存答案（可多次）", request=QuizAnswersSerializer, responses=AttemptSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str) -> Response:
        s = QuizAnswersSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._call(pk, services.save_answers, s.validated_data.get("answers", {}))

    @extend_schema(
        summary="交卷（可带最后一批答案）", request=QuizAnswersSerializer, responses=AttemptSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        s = QuizAnswersSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._call(pk, services.submit_attempt, s.validated_data.get("answers", {}))

    @extend_schema(summary="开始今天的每日一练（党员本人）", request=None, responses={201: AttemptSerializer})
    @action(detail=False, methods=["post"])
    def practice(self, request: Request) -> Response:
        if not own_member_id(request.user):
            raise Http404("未找到")
        with service_errors():
            attempt = services.start_practice(actor=_u(request))
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)
