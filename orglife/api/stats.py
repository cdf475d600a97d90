"""完成情况 API under /api/v1/orglife/stats/: the same selectors as the page."""

from __future__ import annotations

from typing import Any, cast

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from orglife.periods import MONTH, first_of_month, local_today, parse_month
from orglife.selectors import stats
from orgs.access import get_for_user
from orgs.models import Organization


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


class TotalsSerializer(serializers.Serializer):
    required = serializers.IntegerField(label="应开次数")  # type: ignore[assignment]  # Field.required
    planned = serializers.IntegerField(label="计划次数")
    held = serializers.IntegerField(label="召开次数")
    credited = serializers.IntegerField(label="计入完成次数", help_text="每项要求最多计满应开次数")
    unplanned = serializers.IntegerField(label="计划外召开次数")
    attendance_due = serializers.IntegerField(label="应到人次")
    attendance_present = serializers.IntegerField(label="实到人次")
    late_plans = serializers.IntegerField(label="逾期报送的月度计划数")
    branches = serializers.IntegerField(
        label="党支部数", help_text="本节点下的党支部（含总支）数；下级行中为有统计数据的支部数"
    )
    completion_rate = serializers.FloatField(allow_null=True, label="完成率（%）", help_text="计入完成÷应开")
    attendance_rate = serializers.FloatField(allow_null=True, label="参会率（%）", help_text="实到÷应到")


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(label="名称")
    kind = serializers.CharField(label="组织类别")


class NodeRowSerializer(serializers.Serializer):
    org = NodeSerializer()
    totals = TotalsSerializer()


class TypeRowSerializer(serializers.Serializer):
    meeting_type = serializers.CharField(label="会议类型")
    label = serializers.CharField(label="会议类型名称")  # type: ignore[assignment]  # Field.label
    totals = TotalsSerializer()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(label="周期", help_text="month / quarter / year")
    start = serializers.DateField(label="起始日")
    end = serializers.DateField(label="截止日")
    label = serializers.CharField(label="名称")  # type: ignore[assignment]  # Field.label


class CompletionSerializer(serializers.Serializer):
    node = NodeSerializer()
    period = PeriodSerializer()
    level = serializers.IntegerField(label="下级层数")
    totals = TotalsSerializer()
    by_type = TypeRowSerializer(many=True)
    rows = NodeRowSerializer(many=True, label="下级组织", help_text="按 level 指定的下级层次，每个组织一行")


def _node(org: Organization) -> dict[str, Any]:
    return {"id": org.pk, "name": org.display_name, "kind": org.kind}


def completion_payload(data: stats.Completion) -> dict[str, Any]:
    p = data.period
    return {
        "node": _node(data.node),
        "period": {"kind": p.kind, "start": p.start, "end": p.end, "label": p.label},
        "level": data.level,
        "totals": data.totals.as_dict(),
        "by_type": [
            {"meeting_type": t.meeting_type, "label": t.label, "totals": t.totals.as_dict()}
            for t in data.by_type
        ],
        "rows": [{"org": _node(r.org), "totals": r.totals.as_dict()} for r in data.rows],
    }


class CompletionView(APIView):
    @extend_schema(
        tags=["组织生活"],
        summary="完成情况",
        description="任一可见组织在某月、季度或年度的应开/计划/召开/完成率/参会率，按会议类型和下级组织分列。",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="组织ID；缺省为调用者授权范围的根"),
            OpenApiParameter(
                "period", OpenApiTypes.STR, enum=["month", "quarter", "year"], description="统计周期"
            ),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM，周期所含的任一月份；缺省本月"),
            OpenApiParameter("level", OpenApiTypes.INT, description="按下几级组织分列（1–3，缺省1）"),
        ],
        responses={
            200: CompletionSerializer,
            400: OpenApiResponse(description="参数有误"),
            404: OpenApiResponse(description="不存在，或不在您的授权范围内"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        if params.get("org"):
            node = get_for_user(Organization.objects.all(), _user(request), params["org"])
        else:
            found = stats.default_node(_user(request))
            if found is None:
                return Response({"detail": "没有可查看的组织"}, status=404)
            node = found
        kind = params.get("period", MONTH)
        if kind not in dict(stats.PERIOD_CHOICES):
            raise serializers.ValidationError({"period": ["应为 month、quarter 或 year"]})
        try:
            month = parse_month(params["month"]) if params.get("month") else first_of_month(local_today())
            level = int(params.get("level", 1))
        except ValueError as exc:
            raise serializers.ValidationError({"month": [str(exc)]}) from exc
        if not 1 <= level <= 3:
            raise serializers.ValidationError({"level": ["应为1至3"]})
        data = stats.completion(node, stats.period_of(kind, month), level=level)
        return Response(CompletionSerializer(completion_payload(data)).data)


urlpatterns = [path("stats/completion/", CompletionView.as_view(), name="api-orglife-completion")]
