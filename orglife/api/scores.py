"""月积分 and 约谈 API under /api/v1/orglife/: the same services and access rules as the pages.

- GET  scores/?month=YYYY-MM         the ranking visible to the caller, with the formula in force
- POST scores/close/ {"month": ...}  month-end close (组织部管理员 only; same service as the page/command)
- GET  interviews/ (status, month, overdue), GET interviews/{id}/, GET interviews/{id}/attachment/
- POST interviews/{id}/complete/     record the outcome (optional multipart attachment) and mark it done;
                                     only the level above the committee may (as on the page)

Serializers shape input and output; they never save.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import User
from orglife.api.plans import MonthField
from orglife.filters.scores import InterviewFilter
from orglife.models import Interview, MonthlyScore, RuleSet
from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.rules import ruleset_for
from orglife.services import scores as services_scores
from orgs.access import get_for_user, require_tree
from orgs.api_errors import field_errors, service_errors
from orgs.api_parsers import JSONParser
from orgs.api_schema import ObjectListSchema


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


class InterviewDone(APIException):
    status_code = 409
    default_detail = "该约谈已完成，不能再修改"
    default_code = "done"


# ---------------------------------------------------------------- serializers


class ScoreRowSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True, label="月份")
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="党(工)委")

    class Meta:
        model = MonthlyScore
        fields = [
            "id",
            "org",
            "org_name",
            "month",
            "branches",
            "completion_rate",
            "quality_score",
            "rectification_score",
            "total",
            "rank",
            "lagging",
            "consecutive_lag",
            "computed_at",
        ]
        read_only_fields = fields


class ScoreRuleSetSerializer(serializers.ModelSerializer):
    effective_from = MonthField(read_only=True, label="生效月份")
    weight_sum = serializers.SerializerMethodField(label="权重之和")

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "effective_from",
            "document",
            "weight_completion",
            "weight_quality",
            "weight_rectification",
            "weight_sum",
            "lag_bottom_n",
            "lag_threshold",
        ]
        read_only_fields = fields

    def get_weight_sum(self, obj: RuleSet) -> int:
        return services_scores.weight_sum(obj)


class ScoreListSerializer(serializers.Serializer):
    month = MonthField(label="月份")
    months = serializers.ListField(child=MonthField(), label="已结算的月份", help_text="调用者可见，新的在前")
    ruleset = ScoreRuleSetSerializer(allow_null=True, label="适用的规则版本")
    formula = serializers.CharField(label="计分公式", allow_blank=True)
    results = ScoreRowSerializer(many=True, label="排名", help_text="按名次排列；名次为全县排名")


class ScoreCloseSerializer(serializers.Serializer):
    month = MonthField(label="结算月份", help_text="YYYY-MM，须为已经结束的月份")


class ScoreCloseReportSerializer(serializers.Serializer):
    month = MonthField(label="结算月份")
    committees = serializers.IntegerField(label="计分的党(工)委数")
    lagging = serializers.IntegerField(label="落后数")
    interviews_created = serializers.IntegerField(label="新建约谈")
    interviews_updated = serializers.IntegerField(label="调整约谈")
    interviews_removed = serializers.IntegerField(label="撤销约谈")
    notices = serializers.IntegerField(label="站内提醒")
    message = serializers.CharField(label="结算说明")


class ScoreInterviewSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True, label="落后月份")
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="党(工)委")
    level_display = serializers.CharField(source="get_level_display", read_only=True, label="约谈层级名称")
    # A plain string, not an enum: "status" names several choice sets across the API.
    status = serializers.CharField(read_only=True, label="状态", help_text="pending 待约谈, done 已约谈")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    overdue = serializers.SerializerMethodField(label="已逾期", help_text="待约谈且已过约谈期限")
    has_attachment = serializers.SerializerMethodField(label="有附件")

    class Meta:
        model = Interview
        fields = [
            "id",
            "org",
            "org_name",
            "month",
            "level",
            "level_display",
            "consecutive_lag",
            "requires_self_analysis",
            "due_on",
            "status",
            "status_display",
            "overdue",
            "interviewee_name",
            "held_on",
            "outcome",
            "has_attachment",
            "created_at",
            "completed_by",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Interview) -> bool:
        return obj.status == Interview.Status.PENDING and obj.due_on < local_today()

    def get_has_attachment(self, obj: Interview) -> bool:
        return bool(obj.attachment)


class ScoreInterviewDetailSerializer(ScoreInterviewSerializer):
    score = serializers.SerializerMethodField(label="该月积分")

    class Meta(ScoreInterviewSerializer.Meta):
        fields = [*ScoreInterviewSerializer.Meta.fields, "score"]
        read_only_fields = fields

    @extend_schema_field(ScoreRowSerializer(allow_null=True))
    def get_score(self, obj: Interview) -> dict[str, Any] | None:
        score = MonthlyScore.objects.filter(org=obj.org, month=obj.month).select_related("org").first()
        return ScoreRowSerializer(score).data if score is not None else None


class ScoreInterviewCompleteSerializer(serializers.Serializer):
    held_on = serializers.DateField(label="约谈日期")
    interviewee_name = serializers.CharField(max_length=40, label="被约谈人")
    outcome = serializers.CharField(label="约谈情况")
    attachment = serializers.FileField(
        required=False, label="附件", help_text="约谈记录、整改承诺等：PDF、Word、Excel 或照片（multipart）"
    )


# ---------------------------------------------------------------- views

_BAD = {400: OpenApiResponse(description="输入有误：{字段: [中文说明]}")}
_FORBIDDEN = {403: OpenApiResponse(description="无此操作权限")}
_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_DONE = {409: OpenApiResponse(description="该约谈已完成")}
_MONTH = OpenApiParameter(
    "month", OpenApiTypes.STR, description="月份 YYYY-MM（默认：可见的最近一个已结算月份）"
)


@extend_schema(tags=["月积分与约谈"])
class ScoreViewSet(viewsets.ViewSet):
    filter_backends: list[Any] = []
    schema = ObjectListSchema()  # the list answers one object: month, rule version, formula and the rows

    @extend_schema(
        summary="月积分排名",
        description=(
            "调用者授权范围内各党(工)委该月的积分（完成率、质量分、整改分、总分）、全县名次、是否落后、"
            "连续落后月数，以及该月适用的规则版本（权重、落后名次与分数线）和计分公式。不分页。"
        ),
        parameters=[_MONTH],
        responses={200: ScoreListSerializer, **_BAD, **_NOT_FOUND},
    )
    def list(self, request: Request) -> Response:
        user = _user(request)
        require_tree(user)
        visible = MonthlyScore.objects.visible_to(user)
        months = list(visible.order_by("-month").values_list("month", flat=True).distinct()[:36])
        given = request.query_params.get("month", "")
        if given.strip():
            try:
                month = parse_month(given)
            except ValueError as exc:
                raise serializers.ValidationError({"month": [str(exc)]}) from exc
        else:
            month = months[0] if months else add_months(first_of_month(local_today()), -1)
        rows = list(visible.filter(month=month).select_related("org", "ruleset").order_by("rank", "org_path"))
        ruleset: RuleSet | None
        try:
            ruleset = rows[0].ruleset if rows else ruleset_for(month)
        except RuleSet.DoesNotExist:
            ruleset = None
        data = {
            "month": month,
            "months": months,
            "ruleset": ruleset,
            "formula": services_scores.formula(ruleset) if ruleset else "",
            "results": rows,
        }
        return Response(ScoreListSerializer(data).data)

    @extend_schema(
        summary="月末结算",
        description=(
            "组织部管理员结算已经结束的月份：计算积分、排名、落后标记并逐级约谈。"
            "与页面和 orglife_close_month 命令调用同一服务；重复结算结果相同（已完成的约谈不受影响）。"
        ),
        request=ScoreCloseSerializer,
        responses={200: ScoreCloseReportSerializer, **_BAD, **_FORBIDDEN, **_NOT_FOUND},
    )
    @action(detail=False, methods=["post"])
    def close(self, request: Request) -> Response:
        require_tree(_user(request))
        services_scores.require_closer(_user(request))  # before reading the input, as the service would
        serializer = ScoreCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        month: dt.date = serializer.validated_data["month"]
        with service_errors():
            report = services_scores.close_month(month=month, actor=_user(request))
        data = {
            "month": report.month,
            "committees": report.committees,
            "lagging": report.lagging,
            "interviews_created": report.interviews_created,
            "interviews_updated": report.interviews_updated,
            "interviews_removed": report.interviews_removed,
            "notices": report.notices,
            "message": str(report),
        }
        return Response(ScoreCloseReportSerializer(data).data)


@extend_schema(tags=["月积分与约谈"])
@extend_schema_view(
    list=extend_schema(
        summary="约谈列表",
        description="调用者授权范围内的约谈，可按状态、落后月份、是否逾期筛选。",
        responses={200: ScoreInterviewSerializer(many=True), **_NOT_FOUND},
    ),
    retrieve=extend_schema(summary="约谈详情", responses={200: ScoreInterviewDetailSerializer, **_NOT_FOUND}),
)
class InterviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ScoreInterviewSerializer
    filterset_class = InterviewFilter

    def get_queryset(self) -> QuerySet[Interview]:
        if getattr(self, "swagger_fake_view", False):
            return Interview.objects.none()
        user = _user(self.request)
        if self.action == "list":
            require_tree(user)
        return (
            Interview.objects.visible_to(user)
            .select_related("org")
            .order_by("-month", "due_on", "org__path", "id")
        )

    def get_serializer_class(self) -> Any:
        return ScoreInterviewDetailSerializer if self.action == "retrieve" else ScoreInterviewSerializer

    def get_object(self) -> Interview:
        write = self.request.method not in SAFE_METHODS
        return get_for_user(
            Interview.objects.select_related("org", "org__parent"),
            _user(self.request),
            self.kwargs["pk"],
            write=write,
        )

    @extend_schema(
        summary="记录约谈情况并标记已约谈",
        description=(
            "由上级组织部门（党(工)委的上一级）记录：约谈日期、被约谈人、约谈情况，可附附件"
            "（multipart/form-data 的 attachment：PDF、Word、Excel 或照片）。与页面调用同一服务，记入审计。"
        ),
        request={
            "multipart/form-data": ScoreInterviewCompleteSerializer,
            "application/json": ScoreInterviewCompleteSerializer,
        },
        responses={200: ScoreInterviewDetailSerializer, **_BAD, **_FORBIDDEN, **_NOT_FOUND, **_DONE},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def complete(self, request: Request, pk: str) -> Response:
        interview = self.get_object()
        services_scores.require_interviewer(_user(request), interview)
        serializer = ScoreInterviewCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if interview.status == Interview.Status.DONE:
            raise InterviewDone()
        given = serializer.validated_data
        with transaction.atomic():
            try:
                services_scores.record_interview(
                    actor=_user(request),
                    interview=interview,
                    held_on=given["held_on"],
                    interviewee_name=given["interviewee_name"],
                    outcome=given["outcome"],
                    attachment=given.get("attachment"),
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"attachment": exc.messages}) from exc
            try:
                services_scores.complete_interview(actor=_user(request), interview=interview)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(field_errors(exc)) from exc
        fresh = self.get_object()
        return Response(ScoreInterviewDetailSerializer(fresh).data)

    @extend_schema(
        summary="下载约谈附件",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def attachment(self, request: Request, pk: str) -> FileResponse:
        interview = self.get_object()
        if not interview.attachment:
            raise Http404("没有附件")
        name = (interview.attachment.name or "").rsplit("/", 1)[-1]
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        try:
            handle = interview.attachment.open("rb")
        except FileNotFoundError:
            raise Http404("文件不存在") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"约谈附件-{interview.org.display_name}-{interview.month:%Y%m}.{extension}",
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, max_age=3600)
        return response


router = SimpleRouter()
router.register("scores", ScoreViewSet, basename="api-score")
router.register("interviews", InterviewViewSet, basename="api-interview")
urlpatterns = router.urls
