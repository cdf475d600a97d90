"""Posts under /api/v1/positions/: list and read in the caller's scope, appoint, end a term."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs import services
from orgs.access import get_for_user
from orgs.api.members import ERRORS, FORBIDDEN, NOT_FOUND, ScopedViewSet
from orgs.api_errors import service_errors
from orgs.filters import PositionFilter
from orgs.models import Member, Organization, Position


class PositionSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", label="党员ID")
    member_name = serializers.CharField(source="member.name", read_only=True, label="姓名")
    org = serializers.IntegerField(source="org_id", label="任职组织ID")
    org_name = serializers.CharField(source="org.name", read_only=True, label="任职组织")
    title_display = serializers.CharField(source="get_title_display", read_only=True, label="职务名称")
    is_current = serializers.BooleanField(read_only=True, label="在任")

    class Meta:
        model = Position
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "org_name",
            "title",
            "title_display",
            "started_on",
            "ended_on",
            "is_current",
            "created_at",
        ]
        read_only_fields = ["ended_on", "created_at"]


class PositionEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="离任日期")


_ORG = OpenApiParameter("org", OpenApiTypes.INT, description="组织ID（含其全部下级）")


@extend_schema(tags=["职务"])
@extend_schema_view(
    list=extend_schema(
        summary="职务列表",
        description="调用者授权范围内各组织的职务（书记、副书记、组织委员…），含任职和离任日期。",
        parameters=[_ORG],
    ),
    retrieve=extend_schema(summary="职务详情", responses={200: PositionSerializer, **NOT_FOUND}),
)
class PositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = PositionSerializer
    filterset_class = PositionFilter

    def get_queryset(self) -> QuerySet[Position]:
        return (
            Position.objects.visible_to(self._user())
            .select_related("member", "org")
            .order_by("org__path", "title", "-started_on", "pk")
        )

    def get_object(self) -> Position:
        return self._fetch(Position.objects.select_related("member", "org"))

    @extend_schema(
        summary="任命职务", responses={201: PositionSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND}
    )
    def create(self, request: Request) -> Response:
        serializer = PositionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given: dict[str, Any] = serializer.validated_data
        org = get_for_user(Organization.objects.all(), request.user, given["org_id"], write=True)
        member = get_for_user(Member.objects.select_related("org"), request.user, given["member_id"])
        with service_errors():
            position = services.add_position(
                actor=request.user,
                member=member,
                org=org,
                title=given["title"],
                started_on=given["started_on"],
            )
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="离任",
        request=PositionEndSerializer,
        responses={200: PositionSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def end(self, request: Request, pk: str) -> Response:
        position = self._fetch(Position.objects.select_related("member", "org"), write=True)
        serializer = PositionEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            position = services.end_position(
                actor=request.user, position=position, ended_on=serializer.validated_data["ended_on"]
            )
        return Response(PositionSerializer(position).data)
