"""巡查 and 整改 API under /api/v1/orglife/: the same services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import User
from orglife.models import PatrolCheck, Rectification, RectificationItem
from orglife.periods import parse_month
from orglife.services import patrol as patrol
from orgs.access import get_for_user
from orgs.api_errors import service_errors
from orgs.models import Organization


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


# ---------------------------------------------------------------- serializers


class PatrolCheckSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="党支部")
    record_topic = serializers.CharField(source="record.topic", read_only=True, label="会议主题")
    meeting_type = serializers.CharField(source="record.meeting_type", read_only=True, label="会议类型")
    photo_reused = serializers.BooleanField(
        source="record.photo_reused", read_only=True, label="照片疑似重复"
    )
    rating = serializers.ChoiceField(
        choices=PatrolCheck.Rating.choices,
        allow_blank=True,
        read_only=True,
        label="评价",
        help_text="未评价时为空",
    )
    rating_display = serializers.CharField(source="get_rating_display", read_only=True, label="评价名称")

    class Meta:
        model = PatrolCheck
        fields = [
            "id",
            "month",
            "record",
            "record_topic",
            "meeting_type",
            "photo_reused",
            "org",
            "org_name",
            "sampled_at",
            "rating",
            "rating_display",
            "reasons",
            "comment",
            "rated_at",
            "rehold_ordered",
        ]
        read_only_fields = fields


class DrawSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="抽查范围", help_text="组织ID（在调用者的巡查范围内）")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", label="月份", help_text="YYYY-MM")
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="随机种子")


class RateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=PatrolCheck.Rating.choices, label="评价")
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=[(r, r) for r in PatrolCheck.REASONS]),
        required=False,
        label="问题",
    )
    comment = serializers.CharField(required=False, allow_blank=True, label="意见")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因")


class RectifyRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, label="整改事项")
    items = serializers.ListField(
        child=serializers.CharField(max_length=300), min_length=1, label="问题及要求"
    )
    deadline = serializers.DateField(label="整改期限")


class RectificationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationItem
        fields = ["id", "text", "done", "evidence"]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="党支部")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    overdue = serializers.BooleanField(read_only=True, label="已逾期", help_text="期限已过且未销号")
    items = RectificationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "org",
            "org_name",
            "record",
            "patrol_check",
            "source",
            "title",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "evidence",
            "opened_at",
            "closed_at",
            "items",
        ]
        read_only_fields = fields


class EvidenceItemSerializer(serializers.Serializer):
    item = serializers.IntegerField(label="整改项ID")
    evidence = serializers.CharField(label="整改佐证")


class SubmitSerializer(serializers.Serializer):
    evidence = EvidenceItemSerializer(many=True, label="各项整改佐证")
    note = serializers.CharField(required=False, allow_blank=True, label="整改情况说明")


# ---------------------------------------------------------------- views

_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_WRITE = {
    400: OpenApiResponse(description="输入有误：{字段: [中文说明]}"),
    403: OpenApiResponse(description="无巡查或写入权限"),
    **_NOT_FOUND,
}
_MONTH = OpenApiParameter("month", OpenApiTypes.STR, description="抽查月份 YYYY-MM")


@extend_schema(tags=["组织生活巡查"])
@extend_schema_view(
    list=extend_schema(summary="巡查样本列表", parameters=[_MONTH]),
    retrieve=extend_schema(summary="巡查样本详情", responses={200: PatrolCheckSerializer, **_NOT_FOUND}),
)
class PatrolCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PatrolCheckSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PatrolCheck]:
        qs = PatrolCheck.objects.visible_to(_user(self.request)).select_related("record", "org")
        if self.action == "list" and self.request.query_params.get("month"):
            try:
                qs = qs.filter(month=parse_month(self.request.query_params["month"]))
            except ValueError as exc:
                raise serializers.ValidationError({"month": [str(exc)]}) from exc
        return qs.order_by("-month", "org__path", "id")

    def get_object(self) -> PatrolCheck:
        return get_for_user(
            PatrolCheck.objects.select_related("record", "org"), _user(self.request), self.kwargs["pk"]
        )

    def _fresh(self, check: PatrolCheck) -> Response:
        return Response(PatrolCheckSerializer(self.get_object()).data)

    @extend_schema(
        summary="抽取巡查样本",
        request=DrawSerializer,
        responses={201: PatrolCheckSerializer(many=True), **_WRITE},
    )
    @action(detail=False, methods=["post"])
    def draw(self, request: Request) -> Response:
        given = DrawSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        root = get_for_user(Organization.objects.all(), _user(request), given.validated_data["org"])
        with service_errors():
            created = patrol.draw_sample(
                actor=_user(request),
                root=root,
                month=parse_month(given.validated_data["month"]),
                seed=given.validated_data.get("seed"),
            )
        return Response(PatrolCheckSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="评价", request=RateSerializer, responses={200: PatrolCheckSerializer, **_WRITE})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        patrol.require_patrol(_user(request), check.org.path)
        given = RateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            patrol.rate_check(
                actor=_user(request),
                check=check,
                rating=given.validated_data["rating"],
                reasons=given.validated_data.get("reasons", []),
                comment=given.validated_data.get("comment", ""),
            )
        return self._fresh(check)

    @extend_schema(
        summary="要求重新召开", request=ReasonSerializer, responses={200: PatrolCheckSerializer, **_WRITE}
    )
    @action(detail=True, methods=["post"])
    def rehold(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        patrol.require_patrol(_user(request), check.org.path)
        given = ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            patrol.order_rehold(actor=_user(request), check=check, reason=given.validated_data["reason"])
        return self._fresh(check)

    @extend_schema(
        summary="下发整改",
        request=RectifyRequestSerializer,
        responses={201: RectificationSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        patrol.require_patrol(_user(request), check.org.path)
        given = RectifyRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            rect = patrol.open_rectification(
                actor=_user(request), org=check.org, check=check, **given.validated_data
            )
        return Response(
            RectificationSerializer(_rect_qs().get(pk=rect.pk)).data, status=status.HTTP_201_CREATED
        )


def _rect_qs() -> QuerySet[Rectification]:
    overdue = patrol.overdue_q(timezone.localdate())
    return (
        Rectification.objects.select_related("org")
        .prefetch_related("items")
        .annotate(overdue=Case(When(overdue, then=Value(True)), default=Value(False)))
    )


@extend_schema(tags=["组织生活巡查"])
@extend_schema_view(
    list=extend_schema(
        summary="整改列表",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[*Rectification.Status.values, "overdue"],
                description="状态；overdue 为已逾期未销号",
            )
        ],
    ),
    retrieve=extend_schema(summary="整改详情", responses={200: RectificationSerializer, **_NOT_FOUND}),
)
class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RectificationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Rectification]:
        qs = _rect_qs().filter(pk__in=Rectification.objects.visible_to(_user(self.request)).values("pk"))
        wanted = self.request.query_params.get("status", "")
        if wanted == "overdue":
            qs = qs.filter(patrol.overdue_q(timezone.localdate()))
        elif wanted in Rectification.Status.values:
            qs = qs.filter(status=wanted)
        return qs.order_by("status", "deadline", "id")

    def _get(self, *, write: bool = False) -> Rectification:
        return get_for_user(_rect_qs(), _user(self.request), self.kwargs["pk"], write=write)

    def get_object(self) -> Rectification:
        return self._get()

    def _fresh(self) -> Response:
        return Response(RectificationSerializer(self._get()).data)

    @extend_schema(
        summary="提交整改情况", request=SubmitSerializer, responses={200: RectificationSerializer, **_WRITE}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        rect = self._get(write=True)
        given = SubmitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        evidence = {row["item"]: row["evidence"] for row in given.validated_data["evidence"]}
        with service_errors():
            patrol.submit_rectification(
                actor=_user(request),
                rectification=rect,
                evidence=evidence,
                note=given.validated_data.get("note", ""),
            )
        return self._fresh()

    @extend_schema(summary="销号", request=None, responses={200: RectificationSerializer, **_WRITE})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        rect = self._get()
        with service_errors():
            patrol.close_rectification(actor=_user(request), rectification=rect)
        return self._fresh()

    @extend_schema(
        summary="退回继续整改", request=ReasonSerializer, responses={200: RectificationSerializer, **_WRITE}
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: str) -> Response:
        rect = self._get()
        if not patrol.can_review(_user(request), rect):
            raise PermissionDenied("只有整改发起人或上级党(工)委可以退回")
        given = ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            patrol.return_rectification(
                actor=_user(request), rectification=rect, reason=given.validated_data["reason"]
            )
        return self._fresh()


router = SimpleRouter()
router.register("patrol/checks", PatrolCheckViewSet, basename="api-orglife-patrol-check")
router.register("rectifications", RectificationViewSet, basename="api-orglife-rectification")
urlpatterns = router.urls
