"""REST API of the points ledger under /api/v1/points/ (for the mobile client).

Serializers shape input and output; views scope, fetch through orgs.access.get_for_user and call
points.services, like the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from orgs.access import get_for_user, has_any_scope, own_member_id
from orgs.api_errors import service_errors
from orgs.models import Member, Organization
from points import selectors, services
from points.models import Declaration, LedgerEntry, MonthlyNotice, PointRule

_YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")
_ORG = OpenApiParameter("org", OpenApiTypes.INT, description="组织ID（含下级）")


def _year(request: Request) -> int:
    try:
        year = int(request.query_params.get("year") or timezone.localdate().year)
    except ValueError:
        raise serializers.ValidationError({"year": ["年度应为数字"]}) from None
    if (
        not 1921 <= year <= 9998
    ):  # a calendar year the dates of the period can be built for (API fuzzing: year=0)
        raise serializers.ValidationError({"year": ["年度超出范围"]})
    return year


class PointsRuleSerializer(serializers.ModelSerializer):
    block = serializers.CharField(source="block.name", label="板块")
    caps = serializers.CharField(source="caps_text", label="上限")

    class Meta:
        model = PointRule
        fields = ["code", "name", "block", "points", "evidence", "caps", "declarable"]


class PointsDeclarationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    item_code = serializers.CharField(source="rule.code", read_only=True, label="项目代码")
    item_name = serializers.CharField(source="rule.name", read_only=True, label="项目")
    points = serializers.DecimalField(source="rule.points", max_digits=7, decimal_places=1, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")

    class Meta:
        model = Declaration
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "item_code",
            "item_name",
            "points",
            "occurred_on",
            "description",
            "evidence_link",
            "status",
            "status_display",
            "reject_reason",
            "submissions",
            "created_at",
        ]
        read_only_fields = fields


class PointsDeclareSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        required=False, label="党员ID", help_text="计分员代为记录时填写；本人申报留空"
    )
    item_code = serializers.CharField(label="积分项目代码")
    occurred_on = serializers.DateField(label="发生日期")
    description = serializers.CharField(required=False, allow_blank=True, default="", label="情况说明")
    evidence_link = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None, label="佐证材料")


class PointsReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因")


class PointsResubmitSerializer(serializers.Serializer):
    description = serializers.CharField(label="情况说明", allow_blank=True)
    evidence_link = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)


class PointsEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    item_name = serializers.CharField(source="rule.name", read_only=True)
    rule_version = serializers.IntegerField(source="rule.version.number", read_only=True, label="规则版本")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "member",
            "member_name",
            "item_code",
            "item_name",
            "block_code",
            "rule_version",
            "occurred_on",
            "points",
            "capped_from",
            "capped_reason",
            "source_type",
            "source_id",
            "reverses",
            "note",
            "created_at",
        ]


class PointsTotalSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    org_name = serializers.CharField(source="org.name")
    total = serializers.DecimalField(max_digits=9, decimal_places=1)


class PointsNoticeSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = MonthlyNotice
        fields = [
            "id",
            "org",
            "org_name",
            "year",
            "month",
            "status",
            "published_at",
            "objection_until",
            "note",
        ]


class PointsObjectionSerializer(serializers.Serializer):
    text = serializers.CharField(label="异议内容")
    about = serializers.IntegerField(required=False, allow_null=True, default=None, label="涉及党员ID")


def _u(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated has run


def _require_points_user(request: Request) -> None:
    if not (has_any_scope(request.user) or own_member_id(request.user)):
        raise Http404


@extend_schema(tags=["学习积分"])
class RuleViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="可申报的积分项目",
        description="调用者本人所在组织当前生效版本中可申报的项目。",
        responses=PointsRuleSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        _require_points_user(request)
        member_id = own_member_id(request.user)
        member = Member.objects.select_related("org").filter(pk=member_id).first() if member_id else None
        org = member.org if member else Organization.objects.visible_to(_u(request)).order_by("depth").first()
        rules = selectors.current_rules(org, timezone.localdate()) if org else []
        return Response(PointsRuleSerializer(rules, many=True).data)


@extend_schema(tags=["学习积分"])
@extend_schema_view(
    list=extend_schema(summary="积分申报列表"), retrieve=extend_schema(summary="积分申报详情")
)
class DeclarationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PointsDeclarationSerializer

    def get_queryset(self) -> QuerySet[Declaration]:
        if getattr(self, "swagger_fake_view", False):
            return Declaration.objects.none()
        _require_points_user(self.request)
        qs = Declaration.objects.visible_to(_u(self.request)).select_related("member", "rule")
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs

    def get_object(self) -> Declaration:
        return get_for_user(
            Declaration.objects.select_related("member", "rule"), self.request.user, self.kwargs["pk"]
        )

    def _act(self, pk: str) -> Declaration:
        return get_for_user(Declaration.objects.select_related("org"), self.request.user, pk, write=True)

    @extend_schema(
        summary="申报积分",
        description="可带请求头 Idempotency-Key（8–64 位字母、数字、-、_，由客户端为这条申报生成）："
        "同一个键再次提交时返回第一次保存的申报（200），不重复保存。",
        request=PointsDeclareSerializer,
        responses={201: PointsDeclarationSerializer, 200: PointsDeclarationSerializer},
    )
    def create(self, request: Request) -> Response:
        _require_points_user(request)
        s = PointsDeclareSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        member_pk = data.pop("member", None) or own_member_id(request.user)
        if not member_pk:
            raise serializers.ValidationError({"member": ["请指定党员"]})
        member = selectors.get_member_for_user(request.user, member_pk)
        key = request.headers.get("Idempotency-Key", "").strip()
        with service_errors():
            d = services.declare(actor=_u(request), member=member, client_key=key, **data)
        replayed = getattr(d, "replayed", False)  # the same key again: the first declaration, not a second
        return Response(
            PointsDeclarationSerializer(d).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )

    @extend_schema(summary="计分员审核通过并记录", request=None, responses=PointsDeclarationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        with service_errors():
            d = services.verify_declaration(actor=_u(request), declaration=self._act(pk))
        return Response(PointsDeclarationSerializer(d).data)

    @extend_schema(summary="退回申报", request=PointsReasonSerializer, responses=PointsDeclarationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        d = self._act(pk)
        s = PointsReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            d = services.reject_declaration(
                actor=_u(request), declaration=d, reason=s.validated_data["reason"]
            )
        return Response(PointsDeclarationSerializer(d).data)

    @extend_schema(summary="撤回本人待审核的申报", request=None, responses=PointsDeclarationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        with service_errors():
            d = services.withdraw_declaration(actor=_u(request), declaration=self._act(pk))
        return Response(PointsDeclarationSerializer(d).data)

    @extend_schema(
        summary="修改后重新提交", request=PointsResubmitSerializer, responses=PointsDeclarationSerializer
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str) -> Response:
        d = self._act(pk)
        s = PointsResubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            d = services.resubmit_declaration(actor=_u(request), declaration=d, **s.validated_data)
        return Response(PointsDeclarationSerializer(d).data)


@extend_schema(tags=["学习积分"])
@extend_schema_view(list=extend_schema(summary="积分分录（台账）", parameters=[_YEAR]))
class EntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PointsEntrySerializer

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        _require_points_user(self.request)
        qs = LedgerEntry.objects.visible_to(_u(self.request)).in_year(_year(self.request))
        if not has_any_scope(self.request.user):
            qs = qs.filter(member_id=own_member_id(self.request.user) or 0)
        member = self.request.query_params.get("member")
        if member and member.isdigit():
            qs = qs.filter(member_id=int(member))
        return qs.select_related("member", "rule", "rule__version")


@extend_schema(tags=["学习积分"])
class RankingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PointsTotalSerializer

    def _members(self) -> QuerySet[Member]:
        if not has_any_scope(self.request.user):
            raise Http404
        qs = Member.objects.visible_to(_u(self.request)).active()
        org_id = self.request.query_params.get("org")
        if org_id:
            qs = qs.under(get_for_user(Organization.objects.all(), self.request.user, org_id))
        return qs

    def get_queryset(self) -> QuerySet[Member]:
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        return selectors.annual_totals(self._members(), _year(self.request))

    @extend_schema(summary="年度积分排名", parameters=[_YEAR, _ORG])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = selectors.attach_orgs(list(self.paginate_queryset(self.get_queryset()) or []))
        return self.get_paginated_response(PointsTotalSerializer(page, many=True).data)

    @extend_schema(
        summary="约谈名单（年度积分低于合格分）",
        parameters=[_YEAR, _ORG],
        responses={200: PointsTotalSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def below(self, request: Request) -> Response:
        year = _year(request)
        org_id = request.query_params.get("org")
        org = get_for_user(Organization.objects.all(), request.user, org_id) if org_id else None
        org = org or Organization.objects.visible_to(_u(request)).order_by("depth", "path").first()
        mark = selectors.thresholds(org, dt.date(year, 12, 31)).pass_mark
        qs = selectors.below_pass(self._members(), year, mark)
        page = selectors.attach_orgs(list(self.paginate_queryset(qs) or []))
        return self.get_paginated_response(PointsTotalSerializer(page, many=True).data)


@extend_schema(tags=["学习积分"])
@extend_schema_view(
    list=extend_schema(summary="月度公示列表"), retrieve=extend_schema(summary="月度公示详情")
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PointsNoticeSerializer

    def get_queryset(self) -> QuerySet[MonthlyNotice]:
        if getattr(self, "swagger_fake_view", False):
            return MonthlyNotice.objects.none()
        _require_points_user(self.request)
        return MonthlyNotice.objects.visible_to(_u(self.request)).select_related("org")

    def get_object(self) -> MonthlyNotice:
        return get_for_user(MonthlyNotice.objects.select_related("org"), self.request.user, self.kwargs["pk"])

    @extend_schema(summary="对公示提出异议", request=PointsObjectionSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def objections(self, request: Request, pk: str) -> Response:
        notice = self.get_object()
        s = PointsObjectionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        about = None
        if s.validated_data["about"]:
            about = Member.objects.filter(
                pk=s.validated_data["about"], org__path__startswith=notice.org.path
            ).first()
        with service_errors():
            objection = services.raise_objection(
                actor=_u(request), notice=notice, text=s.validated_data["text"], about=about
            )
        return Response({"id": objection.pk}, status=status.HTTP_201_CREATED)
