"""Observation and assessment API under /api/v1/observers/: the same services as the pages.

observe/branches/ and observe/meetings/ and observe/observations/ answer only for an observer (404 for
anyone else) and only about their assigned branches; assessments/ follow the committee scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from observers.api.common import user_of
from observers.models import AnnualAssessment, Observation, Observer
from observers.selectors import observer_for, root_for
from observers.services import assessment as assess
from observers.services import observe as svc
from orglife.models import PlanItem
from orglife.periods import local_today
from orgs.access import get_for_user
from orgs.api_errors import service_errors
from orgs.models import Organization
from orgs.paths import under_path_q


def _observer(request: Request) -> Observer:
    return observer_for(user_of(request))


# ---------------------------------------------------------------- serializers
# Choice fields are plain strings with their values in help_text (the services validate them), so the
# schema has no enum collisions with other apps' "kind" and "grade".


def _values(choices: Any) -> str:
    return "；".join(f"{value}：{label}" for value, label in choices.choices)


class ObserveBranchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="branch.pk", label="支部ID")
    name = serializers.CharField(source="branch.display_name", label="党支部")
    is_cross = serializers.BooleanField(label="交叉观察")
    observed = serializers.BooleanField(label="本半年已观察")
    observed_on = serializers.DateField(allow_null=True, label="最近列席日期")
    observed_by_others = serializers.BooleanField(label="其他观察员已列席")
    signed_up = serializers.IntegerField(label="待评价的报名")
    upcoming = serializers.IntegerField(label="近期计划会议数")


class ObserveMeetingSerializer(serializers.ModelSerializer):
    branch = serializers.IntegerField(source="plan.org_id", read_only=True, label="支部ID")
    branch_name = serializers.CharField(source="plan.org.display_name", read_only=True, label="党支部")
    meeting_type_display = serializers.CharField(
        source="get_meeting_type_display", read_only=True, label="会议类型"
    )
    signed_up = serializers.BooleanField(read_only=True, label="已报名")

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "branch",
            "branch_name",
            "meeting_type",
            "meeting_type_display",
            "planned_on",
            "place",
            "topic",
            "signed_up",
        ]
        read_only_fields = fields


class ObserveObservationSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.display_name", read_only=True, label="党支部")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="观察方式名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    grade_display = serializers.CharField(source="get_grade_display", read_only=True, label="总体评价名称")
    finding_display = serializers.CharField(
        source="get_finding_display", read_only=True, label="处理方式名称"
    )
    kind = serializers.CharField(read_only=True, label="观察方式", help_text=_values(Observation.Kind))
    status = serializers.CharField(read_only=True, label="状态", help_text=_values(Observation.Status))
    grade = serializers.CharField(read_only=True, label="总体评价", help_text=_values(Observation.Grade))
    finding = serializers.CharField(read_only=True, label="处理方式", help_text=_values(Observation.Finding))
    meeting_type = serializers.CharField(read_only=True, label="会议类型")

    class Meta:
        model = Observation
        fields = [
            "id",
            "branch",
            "branch_name",
            "plan_item",
            "record",
            "kind",
            "kind_display",
            "meeting_type",
            "observed_on",
            "status",
            "status_display",
            "scores",
            "total",
            "grade",
            "grade_display",
            "problems",
            "finding",
            "finding_display",
            "finding_note",
            "rectification",
            "submitted_at",
        ]
        read_only_fields = fields


class ObserveSignUpSerializer(serializers.Serializer):
    kind = serializers.CharField(label="观察方式", help_text=_values(Observation.Kind))
    plan_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        label="计划会议ID",
        help_text="报名已审核计划中的会议；不填则须给出 branch 和 observed_on",
    )
    branch = serializers.IntegerField(required=False, allow_null=True, label="支部ID")
    observed_on = serializers.DateField(required=False, allow_null=True, label="列席日期")
    meeting_type = serializers.CharField(required=False, allow_blank=True, max_length=24, label="会议类型")


class ObserveScoreSerializer(serializers.Serializer):
    item = serializers.IntegerField(label="评价项目ID")
    score = serializers.IntegerField(min_value=0, label="得分")


class ObserveSubmitSerializer(serializers.Serializer):
    scores = ObserveScoreSerializer(many=True, label="各项得分")
    grade = serializers.CharField(label="总体评价", help_text=_values(Observation.Grade))
    problems = serializers.CharField(required=False, allow_blank=True, label="发现的问题")
    finding = serializers.CharField(default="none", label="处理方式", help_text=_values(Observation.Finding))
    finding_note = serializers.CharField(required=False, allow_blank=True, label="处理情况/原因")
    record = serializers.IntegerField(required=False, allow_null=True, label="会议记录ID")
    deadline = serializers.DateField(required=False, allow_null=True, label="整改期限（责令纠正）")


class ObserveAssessmentSerializer(serializers.ModelSerializer):
    observer_name = serializers.CharField(source="observer.member.name", read_only=True, label="观察员")
    committee_name = serializers.CharField(source="committee.display_name", read_only=True, label="党(工)委")
    grade_display = serializers.CharField(source="get_grade_display", read_only=True, label="等次名称")
    grade = serializers.CharField(read_only=True, label="等次", help_text=_values(AnnualAssessment.Grade))

    class Meta:
        model = AnnualAssessment
        fields = [
            "id",
            "observer",
            "observer_name",
            "committee",
            "committee_name",
            "year",
            "grade",
            "grade_display",
            "evidence",
            "allowance",
            "commended",
            "note",
            "assessed_at",
        ]
        read_only_fields = fields


class ObserveProposalSerializer(serializers.Serializer):
    observer = serializers.IntegerField(source="observer.pk", label="观察员ID")
    observer_name = serializers.CharField(source="observer.member.name", label="观察员")
    committee = serializers.IntegerField(source="observer.committee_id", label="党(工)委ID")
    evidence = serializers.JSONField(label="考核依据")
    proposed = serializers.CharField(label="建议等次")
    grade = serializers.SerializerMethodField(label="已确定等次")

    def get_grade(self, obj: Any) -> str | None:
        return obj.assessment.grade if obj.assessment else None


class ObserveConfirmSerializer(serializers.Serializer):
    observer = serializers.IntegerField(label="观察员ID")
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="年度")
    grade = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        label="等次",
        help_text="不填则按建议等次；" + _values(AnnualAssessment.Grade),
    )
    note = serializers.CharField(required=False, allow_blank=True, label="考核意见")


# ---------------------------------------------------------------- views

_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的观察/授权范围内")}
_WRITE = {
    400: OpenApiResponse(description="输入有误：{字段: [中文说明]}"),
    403: OpenApiResponse(description="无权操作"),
    **_NOT_FOUND,
}


@extend_schema(
    tags=["组织生活观察员"],
    summary="我的支部（本半年分工及观察情况）",
    responses={200: ObserveBranchSerializer(many=True), **_NOT_FOUND},
)
class ObserveBranchesView(APIView):
    def get(self, request: Request) -> Response:
        rows = svc.my_branches(_observer(request))
        return Response(ObserveBranchSerializer(rows, many=True).data)


@extend_schema(tags=["组织生活观察员"])
@extend_schema_view(
    list=extend_schema(
        summary="近期会议（负责支部已审核计划中今天及以后的会议）",
        parameters=[OpenApiParameter("branch", OpenApiTypes.INT, description="支部ID")],
    ),
)
class ObserveMeetingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserveMeetingSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PlanItem]:
        if getattr(self, "swagger_fake_view", False):
            return PlanItem.objects.none()
        qs = svc.upcoming_meetings(_observer(self.request))
        branch = self.request.query_params.get("branch", "")
        return qs.filter(plan__org_id=int(branch)) if branch.isdigit() else qs


@extend_schema(tags=["组织生活观察员"])
@extend_schema_view(
    list=extend_schema(summary="我的观察"),
    retrieve=extend_schema(summary="观察详情", responses={200: ObserveObservationSerializer, **_NOT_FOUND}),
)
class ObserveObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserveObservationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Observation]:
        if getattr(self, "swagger_fake_view", False):
            return Observation.objects.none()
        return (
            Observation.objects.filter(observer=_observer(self.request))
            .select_related("branch")
            .order_by("-observed_on", "-id")
        )

    @extend_schema(
        summary="报名列席（或登记随机观察）",
        request=ObserveSignUpSerializer,
        responses={201: ObserveObservationSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        observer = _observer(request)
        given = ObserveSignUpSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        today = local_today()
        item = branch = None
        if data.get("plan_item"):
            allowed = svc.upcoming_items_qs(svc.assigned_branch_ids(observer, svc.half_start(today)), today)
            item = get_object_or_404(allowed.select_related("plan__org"), pk=data["plan_item"])
        elif data.get("branch"):
            day = data.get("observed_on") or today
            branch = get_object_or_404(
                Organization.objects.filter(pk__in=svc.assigned_branch_ids(observer, svc.half_start(day))),
                pk=data["branch"],
            )
        with service_errors():
            observation = svc.sign_up(
                actor=user_of(request),
                observer=observer,
                kind=data["kind"],
                plan_item=item,
                branch=branch,
                observed_on=data.get("observed_on"),
                meeting_type=data.get("meeting_type", ""),
            )
        return Response(ObserveObservationSerializer(observation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="提交观察质量评价表",
        request=ObserveSubmitSerializer,
        responses={200: ObserveObservationSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        observation = self.get_object()
        given = ObserveSubmitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        record = None
        if data.get("record"):
            record = svc.candidate_records(observation).filter(pk=data["record"]).first()
            if record is None:
                raise serializers.ValidationError({"record": ["所选会议记录不是该支部当月的记录"]})
        evaluation = svc.EvaluationData(
            scores={s["item"]: s["score"] for s in data["scores"]},
            grade=data["grade"],
            problems=data.get("problems", ""),
            finding=data["finding"],
            finding_note=data.get("finding_note", ""),
            record=record,
            deadline=data.get("deadline"),
        )
        with service_errors():
            svc.submit_evaluation(actor=user_of(request), observation=observation, data=evaluation)
        return Response(ObserveObservationSerializer(self.get_queryset().get(pk=observation.pk)).data)


_YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度")
_ORG = OpenApiParameter("org", OpenApiTypes.INT, description="范围（组织ID，默认为调用者的管辖范围）")


def _root(request: Request) -> Organization:
    data = request.data if isinstance(request.data, dict) else {}
    return root_for(user_of(request), request.query_params.get("org") or data.get("org"))


def _year(request: Request) -> int:
    value = str(request.query_params.get("year", ""))
    # 1921..9998 only: a year outside builds no date (year=0 was a 500 under API fuzzing)
    return int(value) if value.isdigit() and 1921 <= int(value) <= 9998 else assess.default_year()


@extend_schema(tags=["组织生活观察员"])
@extend_schema_view(list=extend_schema(summary="年度考核结果", parameters=[_YEAR, _ORG]))
class ObserveAssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserveAssessmentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AnnualAssessment]:
        if getattr(self, "swagger_fake_view", False):
            return AnnualAssessment.objects.none()
        root = _root(self.request)
        return (
            AnnualAssessment.objects.visible_to(user_of(self.request))
            .filter(under_path_q(root.path, "committee__path"), year=_year(self.request))
            .select_related("observer__member", "committee")
            .order_by("committee__path", "observer__letter_number")
        )

    @extend_schema(
        summary="考核依据与建议等次",
        parameters=[_YEAR, _ORG],
        responses={200: ObserveProposalSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # every observer of the committee at once
    def proposals(self, request: Request) -> Response:
        rows = assess.proposals(_root(request), _year(request))
        return Response(ObserveProposalSerializer(rows, many=True).data)

    @extend_schema(
        summary="确定考核等次（不填等次则按建议）",
        request=ObserveConfirmSerializer,
        responses={200: ObserveAssessmentSerializer, **_WRITE},
    )
    @action(detail=False, methods=["post"])
    def confirm(self, request: Request) -> Response:
        given = ObserveConfirmSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        observer = get_for_user(
            Observer.objects.select_related("committee"), request.user, data["observer"], write=True
        )
        with service_errors():
            a = assess.confirm_assessment(
                actor=user_of(request),
                observer=observer,
                year=data["year"],
                grade=data.get("grade") or None,
                note=data.get("note", ""),
            )
        return Response(ObserveAssessmentSerializer(a).data)


router = SimpleRouter()
router.register("observe/meetings", ObserveMeetingViewSet, basename="observe-meeting")
router.register("observe/observations", ObserveObservationViewSet, basename="observe-observation")
router.register("assessments", ObserveAssessmentViewSet, basename="observe-assessment")

urlpatterns: list = [
    path("observe/branches/", ObserveBranchesView.as_view(), name="observe-branches"),
    *router.urls,
]
