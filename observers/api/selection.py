"""Selection, roster and assignment-plan API under /api/v1/observers/: the same services as the pages.

candidates/ (list, detail, create, opinion, appoint), roster/ (the 信息台账, masked personal data only),
plans/ (list, detail with coverage and loads, propose, move, confirm). Committee scope throughout.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from observers.api.common import user_of
from observers.filters import CandidateFilter, ObserverFilter
from observers.models import Assignment, AssignmentPlan, Candidate, Observer, ReviewOpinion, ReviewUnit
from observers.services import planner, roster, selection
from orgs.access import get_for_user
from orgs.api_errors import service_errors
from orgs.models import Member, Organization

# ---------------------------------------------------------------- serializers


class ObserverOpinionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label="审查单位")
    opinion_display = serializers.CharField(source="get_opinion_display", read_only=True, label="意见名称")

    class Meta:
        model = ReviewOpinion
        fields = [
            "id",
            "unit",
            "unit_name",
            "opinion",
            "opinion_display",
            "note",
            "reviewer_name",
            "created_at",
        ]
        read_only_fields = fields


class ObserverCandidateSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="姓名")
    member_org_name = serializers.CharField(source="member.org.name", read_only=True, label="所在党组织")
    id_number_masked = serializers.CharField(
        source="member.id_number_masked", read_only=True, label="身份证号（脱敏）"
    )
    committee_name = serializers.CharField(source="committee.name", read_only=True, label="所属党(工)委")
    source = serializers.CharField(read_only=True, label="产生方式", help_text="recommended / self / mutual")  # type: ignore[assignment]
    source_display = serializers.CharField(source="get_source_display", read_only=True, label="产生方式名称")
    status = serializers.CharField(read_only=True, label="状态", help_text="reviewing / rejected / appointed")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    opinions = ObserverOpinionSerializer(many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "member",
            "member_name",
            "member_org_name",
            "id_number_masked",
            "committee",
            "committee_name",
            "source",
            "source_display",
            "party_work_years",
            "background",
            "status",
            "status_display",
            "rejection_reason",
            "created_at",
            "opinions",
        ]
        read_only_fields = fields


class ObserverCandidateCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    committee = serializers.IntegerField(
        required=False, label="所属党(工)委ID", help_text="留空取最近的党(工)委"
    )
    source = serializers.ChoiceField(choices=Candidate.Source.choices, label="产生方式")  # type: ignore[assignment]
    party_work_years = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, label="党务工作年限"
    )
    background = serializers.CharField(required=False, allow_blank=True, label="简历及党务工作经历")


class ObserverOpinionCreateSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=ReviewUnit.objects.filter(is_active=True), label="审查单位"
    )
    opinion = serializers.ChoiceField(choices=ReviewOpinion.Opinion.choices, label="意见")
    note = serializers.CharField(required=False, allow_blank=True, label="说明（有异议时必填）")
    reviewer_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="审查人")


class ObserverAppointSerializer(serializers.Serializer):
    appointed_on = serializers.DateField(required=False, label="聘任日期")
    username = serializers.CharField(required=False, allow_blank=True, max_length=150, label="登录用户名")


class ObserverRosterSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="姓名")
    member_org_name = serializers.CharField(source="member.org.name", read_only=True, label="所在党组织")
    id_number_masked = serializers.CharField(
        source="member.id_number_masked", read_only=True, label="身份证号（脱敏）"
    )
    phone_masked = serializers.CharField(source="member.phone_masked", read_only=True, label="电话（脱敏）")
    committee_name = serializers.CharField(source="committee.name", read_only=True, label="所属党(工)委")
    status = serializers.CharField(read_only=True, label="状态", help_text="active / suspended / retired")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    trained = serializers.BooleanField(read_only=True, label="本年已参加培训")

    class Meta:
        model = Observer
        fields = [
            "id",
            "member_name",
            "member_org_name",
            "id_number_masked",
            "phone_masked",
            "committee",
            "committee_name",
            "letter_number",
            "card_number",
            "appointed_on",
            "status",
            "status_display",
            "status_note",
            "updated_year",
            "trained",
        ]
        read_only_fields = fields


class ObserverAppointedSerializer(serializers.Serializer):
    observer = ObserverRosterSerializer(label="观察员")
    username = serializers.CharField(label="登录用户名")
    initial_password = serializers.CharField(
        allow_null=True, label="初始密码", help_text="仅本次返回；关联已有账号时为空"
    )


class ObserverAssignmentSerializer(serializers.ModelSerializer):
    observer_name = serializers.CharField(source="observer.member.name", read_only=True, label="观察员")
    branch_name = serializers.CharField(source="branch.display_name", read_only=True, label="党支部")

    class Meta:
        model = Assignment
        fields = ["id", "observer", "observer_name", "branch", "branch_name", "is_cross"]
        read_only_fields = fields


class ObserverPlanSerializer(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", read_only=True, label="范围")
    status = serializers.CharField(read_only=True, label="状态", help_text="draft / confirmed")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")

    class Meta:
        model = AssignmentPlan
        fields = [
            "id",
            "committee",
            "committee_name",
            "half_start",
            "status",
            "status_display",
            "seed",
            "cross_pairs",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class ObserverPlanLoadSerializer(serializers.Serializer):
    observer = serializers.IntegerField(label="观察员ID")
    branches = serializers.IntegerField(label="分配支部数")


class ObserverPlanDetailSerializer(ObserverPlanSerializer):
    branches = serializers.IntegerField(read_only=True, label="范围内党支部数")
    uncovered = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, label="未安排观察员的支部ID"
    )
    load_min = serializers.IntegerField(read_only=True, label="最少分配数")
    load_max = serializers.IntegerField(read_only=True, label="最多分配数")
    load_mean = serializers.FloatField(read_only=True, label="平均分配数")
    loads = ObserverPlanLoadSerializer(many=True, read_only=True, label="每名观察员的分配数")
    assignments = ObserverAssignmentSerializer(many=True, read_only=True, source="assignments_list")

    class Meta(ObserverPlanSerializer.Meta):
        fields = [
            *ObserverPlanSerializer.Meta.fields,
            "branches",
            "uncovered",
            "load_min",
            "load_max",
            "load_mean",
            "loads",
            "assignments",
        ]
        read_only_fields = fields


class ObserverPlanProposeSerializer(serializers.Serializer):
    committee = serializers.IntegerField(label="范围（党(工)委或全县的组织ID）")
    half_start = serializers.DateField(label="半年起始日", help_text="YYYY-01-01 或 YYYY-07-01")
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="随机种子")
    cross_pairs = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        required=False,
        label="交叉观察配对",
        help_text="[[党委ID, 党委ID], …]",
    )


class ObserverPlanMoveSerializer(serializers.Serializer):
    branch = serializers.IntegerField(label="党支部ID")
    observer = serializers.IntegerField(label="改由的观察员ID")


# ---------------------------------------------------------------- views

_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_WRITE = {
    400: OpenApiResponse(description="输入有误：{字段: [中文说明]}"),
    403: OpenApiResponse(description="只有查看权限"),
    **_NOT_FOUND,
}


@extend_schema(tags=["观察员选聘"])
@extend_schema_view(
    list=extend_schema(summary="观察员人选列表"),
    retrieve=extend_schema(
        summary="观察员人选详情", responses={200: ObserverCandidateSerializer, **_NOT_FOUND}
    ),
)
class ObserverCandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserverCandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self) -> QuerySet[Candidate]:
        return (
            Candidate.objects.visible_to(user_of(self.request))
            .select_related("member", "member__org", "committee")
            .prefetch_related("opinions__unit")
        )

    def get_object(self) -> Candidate:
        return get_for_user(self.get_queryset(), self.request.user, self.kwargs["pk"])

    def _fresh(self, pk: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(ObserverCandidateSerializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        summary="登记观察员人选",
        request=ObserverCandidateCreateSerializer,
        responses={201: ObserverCandidateSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        given = ObserverCandidateCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        member = get_for_user(Member.objects.select_related("org"), request.user, data["member"], write=True)
        committee: Organization | None = None
        if data.get("committee"):
            committee = get_for_user(Organization.objects.all(), request.user, data["committee"], write=True)
        else:
            committee = selection.nearest_committee(member.org)
        if committee is None:
            raise serializers.ValidationError({"committee": ["未找到该党员所属的党(工)委"]})
        with service_errors():
            cand = selection.register_candidate(
                actor=user_of(request),
                member=member,
                committee=committee,
                source=data["source"],
                party_work_years=data["party_work_years"],
                background=data.get("background", ""),
            )
        return self._fresh(cand.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="录入联合审查意见",
        description="任一单位有异议，人选即未通过，不得聘任。",
        request=ObserverOpinionCreateSerializer,
        responses={200: ObserverCandidateSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def opinion(self, request: Request, pk: str) -> Response:
        cand = get_for_user(
            Candidate.objects.select_related("committee", "member"), request.user, pk, write=True
        )
        given = ObserverOpinionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            selection.record_opinion(actor=user_of(request), candidate=cand, **given.validated_data)
        return self._fresh(cand.pk)

    @extend_schema(
        summary="聘任",
        description="各参审单位均无异议后聘任：生成聘书、工作证编号，开通观察员账号（初始密码仅本次返回）。",
        request=ObserverAppointSerializer,
        responses={201: ObserverAppointedSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def appoint(self, request: Request, pk: str) -> Response:
        cand = get_for_user(
            Candidate.objects.select_related("committee", "member"), request.user, pk, write=True
        )
        given = ObserverAppointSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            result = selection.appoint(
                actor=user_of(request),
                candidate=cand,
                appointed_on=given.validated_data.get("appointed_on"),
                username=given.validated_data.get("username", ""),
            )
        observer = roster.with_flags(
            Observer.objects.filter(pk=result.observer.pk), timezone.localdate().year
        )
        body = {
            "observer": observer.select_related("member__org", "committee").get(),
            "username": result.user.username,
            "initial_password": result.initial_password,
        }
        response = Response(ObserverAppointedSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["观察员信息台账"])
@extend_schema_view(
    list=extend_schema(summary="观察员信息台账", description="个人信息均为脱敏值。"),
    retrieve=extend_schema(summary="观察员详情", responses={200: ObserverRosterSerializer, **_NOT_FOUND}),
)
class ObserverRosterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserverRosterSerializer
    filterset_class = ObserverFilter

    def get_queryset(self) -> QuerySet[Observer]:
        qs = Observer.objects.visible_to(user_of(self.request)).select_related(
            "member", "member__org", "committee"
        )
        return roster.with_flags(qs, timezone.localdate().year).order_by("committee__path", "letter_number")

    def get_object(self) -> Observer:
        return get_for_user(self.get_queryset(), self.request.user, self.kwargs["pk"])


@extend_schema(tags=["观察员分配方案"])
@extend_schema_view(
    list=extend_schema(summary="半年分配方案列表"),
    retrieve=extend_schema(
        summary="分配方案详情（覆盖情况、工作量、分配表）",
        responses={200: ObserverPlanDetailSerializer, **_NOT_FOUND},
    ),
)
class ObserverPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObserverPlanSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AssignmentPlan]:
        return AssignmentPlan.objects.visible_to(user_of(self.request)).select_related("committee")

    def get_object(self) -> AssignmentPlan:
        return get_for_user(self.get_queryset(), self.request.user, self.kwargs["pk"])

    def _detail(self, plan: AssignmentPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        summary = planner.summarize(plan)
        plan.branches = summary.branches  # type: ignore[attr-defined]
        plan.uncovered = [b.pk for b in summary.uncovered]  # type: ignore[attr-defined]
        plan.load_min, plan.load_max, plan.load_mean = summary.load_min, summary.load_max, summary.load_mean  # type: ignore[attr-defined]
        plan.loads = [{"observer": k, "branches": v} for k, v in summary.loads.items()]  # type: ignore[attr-defined]
        plan.assignments_list = [a for _, rows in summary.table for a in rows]  # type: ignore[attr-defined]
        return Response(ObserverPlanDetailSerializer(plan).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(
        summary="生成（重新生成）分配方案",
        request=ObserverPlanProposeSerializer,
        responses={201: ObserverPlanDetailSerializer, **_WRITE},
    )
    @action(detail=False, methods=["post"])
    def propose(self, request: Request) -> Response:
        given = ObserverPlanProposeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        scope = get_for_user(Organization.objects.all(), request.user, data["committee"], write=True)
        with service_errors():
            plan = planner.propose_plan(
                actor=user_of(request),
                scope=scope,
                half_start=data["half_start"],
                seed=data.get("seed"),
                cross_pairs=data.get("cross_pairs", []),
            )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="调整：把一个支部改由另一名观察员列席",
        request=ObserverPlanMoveSerializer,
        responses={200: ObserverPlanDetailSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        plan = get_for_user(self.get_queryset(), request.user, pk, write=True)
        given = ObserverPlanMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        branch = get_for_user(Organization.objects.all(), request.user, given.validated_data["branch"])
        observer = get_for_user(
            Observer.objects.select_related("member__org", "committee"),
            request.user,
            given.validated_data["observer"],
        )
        with service_errors():
            planner.move_branch(actor=user_of(request), plan=plan, branch=branch, observer=observer)
        return self._detail(plan)

    @extend_schema(
        summary="确认分配方案", request=None, responses={200: ObserverPlanDetailSerializer, **_WRITE}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        plan = get_for_user(self.get_queryset(), request.user, pk, write=True)
        with service_errors():
            planner.confirm_plan(actor=user_of(request), plan=plan)
        return self._detail(plan)


router = SimpleRouter()
router.register("candidates", ObserverCandidateViewSet, basename="observer-candidate")
router.register("roster", ObserverRosterViewSet, basename="observer-roster")
router.register("plans", ObserverPlanViewSet, basename="observer-plan")

urlpatterns: list = [*router.urls]
