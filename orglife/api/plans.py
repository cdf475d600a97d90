"""REST API for monthly plans and rule sets under /api/v1/orglife/. Same services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import User
from orglife.filters.plans import PlanFilter
from orglife.models import MeetingRule, MeetingType, MonthlyPlan, PlanItem, RuleSet
from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.rules import ruleset_for
from orglife.services import plans as svc
from orgs.access import get_for_user, has_any_scope
from orgs.api_errors import service_errors
from orgs.models import Organization


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


_ERRORS = {400: OpenApiResponse(description="输入有误：{字段: [中文说明]}")}
_FORBIDDEN = {403: OpenApiResponse(description="无写入或审核权限")}
_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_ORG = OpenApiParameter("org", OpenApiTypes.INT, description="所在组织ID（含其全部下级）")
_MONTH = OpenApiParameter("month", OpenApiTypes.STR, description="计划月份，YYYY-MM")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-12"})
class MonthField(serializers.Field):
    """A month as 'YYYY-MM' (stored as its first day)."""

    default_error_messages = {"invalid": "月份格式应为 YYYY-MM"}

    def to_representation(self, value: Any) -> str:
        return f"{value:%Y-%m}"

    def to_internal_value(self, data: Any) -> Any:
        try:
            return parse_month(str(data))
        except ValueError:
            self.fail("invalid")


class PlanItemSerializer(serializers.ModelSerializer):
    meeting_type_display = serializers.CharField(
        source="get_meeting_type_display", read_only=True, label="会议类型名称"
    )
    group = serializers.IntegerField(
        source="group_id", allow_null=True, required=False, label="党小组", help_text="本支部党小组ID"
    )

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "meeting_type",
            "meeting_type_display",
            "group",
            "required",
            "planned_on",
            "place",
            "topic",
            "host_name",
            "lecturer_name",
            "note",
        ]
        read_only_fields = ["id", "required"]


class PlanEventSerializer(serializers.Serializer):
    action = serializers.CharField(
        label="动作", help_text="created, edited, submitted, resubmitted, approved, returned, marked_late"
    )
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None, label="操作人")
    payload = serializers.JSONField(label="详情")
    created_at = serializers.DateTimeField(label="时间")


class PlanSerializer(serializers.ModelSerializer):
    month = MonthField(label="计划月份", help_text="YYYY-MM")
    org_name = serializers.CharField(source="org.name", read_only=True, label="党支部名称")
    # A plain string, not an enum: "status" names several choice sets across the API.
    status = serializers.CharField(
        read_only=True,
        label="状态",
        help_text="draft 草稿, submitted 待审核, approved 已通过, returned 已退回",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    items = PlanItemSerializer(many=True, read_only=True, label="计划活动")

    class Meta:
        model = MonthlyPlan
        fields = [
            "id",
            "org",
            "org_name",
            "month",
            "status",
            "status_display",
            "is_late",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    events = PlanEventSerializer(many=True, read_only=True, label="办理记录")
    warnings = serializers.SerializerMethodField(label="提醒（一般性要求未满足等）")
    problems = serializers.SerializerMethodField(label="提交前须改正的问题")

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "events", "warnings", "problems"]
        read_only_fields = fields

    def get_warnings(self, plan: MonthlyPlan) -> list[str]:
        return self.context["check"].warnings

    def get_problems(self, plan: MonthlyPlan) -> list[str]:
        return self.context["check"].errors


class PlanItemInputSerializer(serializers.Serializer):
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices, label="会议类型")
    group = serializers.IntegerField(required=False, allow_null=True, label="党小组ID")
    planned_on = serializers.DateField(required=False, allow_null=True, label="计划日期")
    place = serializers.CharField(required=False, allow_blank=True, max_length=120, label="地点")
    topic = serializers.CharField(required=False, allow_blank=True, max_length=200, label="主题/议题")
    host_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="主持人")
    lecturer_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="党课主讲人")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, label="备注")


class PlanWriteSerializer(serializers.Serializer):
    items = PlanItemInputSerializer(many=True, label="计划活动")
    submit = serializers.BooleanField(default=False, label="保存后立即提交审核")


class PlanCreateSerializer(PlanWriteSerializer):
    org = serializers.IntegerField(label="党支部ID")
    month = MonthField(label="计划月份", help_text="YYYY-MM；默认下月")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label="退回原因")


class PromptItemSerializer(serializers.Serializer):
    meeting_type = serializers.CharField(label="会议类型")
    title = serializers.CharField(source="label", label="名称")
    group = serializers.IntegerField(source="group.pk", allow_null=True, default=None, label="党小组ID")
    planned_on = serializers.DateField(allow_null=True, label="建议日期（主题党日固定日）")
    is_required = serializers.BooleanField(source="required", label="本月必开")
    hint = serializers.CharField(label="说明")


class MeetingRuleSerializer(serializers.ModelSerializer):
    meeting_type_display = serializers.CharField(source="get_meeting_type_display", label="会议类型名称")

    class Meta:
        model = MeetingRule
        fields = [
            "meeting_type",
            "meeting_type_display",
            "period",
            "min_count",
            "applies_to",
            "soft",
            "source",
        ]


class RuleSetSerializer(serializers.ModelSerializer):
    effective_from = MonthField(label="生效月份", help_text="YYYY-MM")
    rules = MeetingRuleSerializer(many=True, read_only=True, label="会议要求")

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "effective_from",
            "document",
            "note",
            "plan_deadline_day",
            "theme_day_of_month",
            "backfill_days",
            "reminder_days",
            "patrol_sample_size",
            "weight_completion",
            "weight_quality",
            "weight_rectification",
            "lag_bottom_n",
            "lag_threshold",
            "rules",
            "created_at",
        ]
        read_only_fields = fields


def _items(user: User, org: Organization, given: list[dict[str, Any]]) -> list[svc.PlanItemData]:
    groups = {g.pk: g for g in Organization.objects.filter(parent=org, kind=Organization.Kind.GROUP)}
    out = []
    for n, row in enumerate(given, start=1):
        row = dict(row)
        group_id = row.pop("group", None)
        group = None
        if group_id is not None:
            group = groups.get(group_id)
            if group is None:
                raise serializers.ValidationError({"items": [f"第{n}项：所选党小组不属于本支部"]})
        out.append(svc.PlanItemData(group=group, **row))
    return out


@extend_schema(tags=["月度计划"])
@extend_schema_view(
    list=extend_schema(
        summary="月度计划列表", description="调用者授权范围内的支部月度计划。", parameters=[_ORG, _MONTH]
    ),
)
class PlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Plans in the caller's scope; writes go through orglife.services.plans."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MonthlyPlan]:
        user = _user(self.request)
        return (
            MonthlyPlan.objects.visible_to(user)
            .select_related("org")
            .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("planned_on", "id")))
            .order_by("-month", "org__path")
        )

    def _fetch(self, *, write: bool | None = None) -> MonthlyPlan:
        if write is None:
            write = self.request.method not in SAFE_METHODS
        qs = MonthlyPlan.objects.select_related("org")
        return get_for_user(qs, _user(self.request), self.kwargs["pk"], write=write)

    def _detail(self, plan: MonthlyPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = get_for_user(
            MonthlyPlan.objects.select_related("org").prefetch_related("items", "events__actor"),
            _user(self.request),
            plan.pk,
        )
        data = PlanDetailSerializer(plan, context={"check": svc.plan_check(plan)}).data
        return Response(data, status=code)

    def _maybe_submit(self, plan: MonthlyPlan, submit: bool) -> None:
        if submit:
            with service_errors():
                svc.submit_plan(actor=_user(self.request), plan=plan)

    @extend_schema(summary="月度计划详情", responses={200: PlanDetailSerializer, **_NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._fetch())

    @extend_schema(
        summary="新建月度计划",
        description="在报送期内（计划月份前一个月的1日起）新建计划；截止日后仍可报送但标记为逾期。submit=true 时保存后立即提交。",
        request=PlanCreateSerializer,
        responses={201: PlanDetailSerializer, **_ERRORS, **_FORBIDDEN, **_NOT_FOUND},
    )
    def create(self, request: Request) -> Response:
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        org = get_for_user(Organization.objects.all(), _user(request), given["org"], write=True)
        items = _items(_user(request), org, given["items"])
        with service_errors():
            plan = svc.create_plan(actor=_user(request), org=org, month=given["month"], items=items)
        self._maybe_submit(plan, given["submit"])
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改月度计划",
        description="草稿或被退回的计划：以 items 整体替换计划活动。",
        request=PlanWriteSerializer,
        responses={200: PlanDetailSerializer, **_ERRORS, **_FORBIDDEN, **_NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        plan = self._fetch()
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = _items(_user(request), plan.org, serializer.validated_data["items"])
        with service_errors():
            svc.update_plan(actor=_user(request), plan=plan, items=items)
        self._maybe_submit(plan, serializer.validated_data["submit"])
        return self._detail(plan)

    @extend_schema(
        summary="提交审核",
        request=None,
        responses={200: PlanDetailSerializer, **_ERRORS, **_FORBIDDEN, **_NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def submit(self, request: Request, pk: str) -> Response:
        plan = self._fetch(write=True)
        with service_errors():
            svc.submit_plan(actor=_user(request), plan=plan)
        return self._detail(plan)

    @extend_schema(
        summary="审核通过",
        description="由支部的上级党（工）委审核；本支部的书记、管理员不能审核本支部计划。",
        request=None,
        responses={200: PlanDetailSerializer, **_ERRORS, **_FORBIDDEN, **_NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def approve(self, request: Request, pk: str) -> Response:
        plan = self._fetch(write=True)
        with service_errors():
            svc.approve_plan(actor=_user(request), plan=plan)
        return self._detail(plan)

    @extend_schema(
        summary="退回修改",
        request=ReturnSerializer,
        responses={200: PlanDetailSerializer, **_ERRORS, **_FORBIDDEN, **_NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="return", pagination_class=None, filter_backends=[])
    def return_(self, request: Request, pk: str) -> Response:
        plan = self._fetch(write=True)
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            svc.return_plan(actor=_user(request), plan=plan, reason=serializer.validated_data["reason"])
        return self._detail(plan)

    @extend_schema(
        summary="提示单",
        description="按规则预填的某支部某月计划活动（不保存）。",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, required=True, description="党支部ID"),
            OpenApiParameter("month", OpenApiTypes.STR, description="计划月份 YYYY-MM，默认下月"),
        ],
        responses={200: PromptItemSerializer(many=True), **_ERRORS, **_NOT_FOUND},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def prompt(self, request: Request) -> Response:
        org_id = request.query_params.get("org", "")
        if not org_id.isdigit():
            raise serializers.ValidationError({"org": ["请指定党支部ID"]})
        org = get_for_user(Organization.objects.all(), _user(request), org_id)
        try:
            month = parse_month(
                request.query_params.get("month") or f"{add_months(first_of_month(local_today()), 1):%Y-%m}"
            )
        except ValueError as exc:
            raise serializers.ValidationError({"month": [str(exc)]}) from exc
        return Response(PromptItemSerializer(svc.prompt_items(org, month), many=True).data)


@extend_schema(tags=["组织生活规则"])
@extend_schema_view(
    list=extend_schema(summary="规则版本列表", description="全部规则版本，新版本在前。"),
    retrieve=extend_schema(summary="规则版本详情", responses={200: RuleSetSerializer, **_NOT_FOUND}),
)
class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """County-wide rule-set versions, readable by anyone with a role on some subtree."""

    serializer_class = RuleSetSerializer
    queryset = RuleSet.objects.prefetch_related(
        Prefetch("rules", queryset=MeetingRule.objects.order_by("id"))
    ).order_by("-effective_from")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not has_any_scope(_user(request)):
            raise NotFound("未找到")

    @extend_schema(
        summary="某月适用的规则",
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM，默认本月")],
        responses={200: RuleSetSerializer, **_ERRORS},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def current(self, request: Request) -> Response:
        try:
            month = parse_month(request.query_params.get("month") or f"{local_today():%Y-%m}")
        except ValueError as exc:
            raise serializers.ValidationError({"month": [str(exc)]}) from exc
        found = self.get_queryset().get(pk=ruleset_for(month).pk)
        return Response(RuleSetSerializer(found).data)


router = SimpleRouter()
router.register("plans", PlanViewSet, basename="api-plan")
router.register("rulesets", RuleSetViewSet, basename="api-ruleset")
urlpatterns = router.urls
