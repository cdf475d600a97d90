"""Organizations and members under /api/v1/organizations/ and /api/v1/members/."""

from __future__ import annotations

from typing import Any, cast

from django.core.validators import RegexValidator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

import personal
from orgs import services
from orgs.access import Actor, get_for_user
from orgs.api_errors import service_errors
from orgs.filters import MemberFilter, OrganizationFilter
from orgs.models import Member, Organization
from orgs.structure import org_warnings

_PHONE = RegexValidator(r"^\d{7,12}$", "联系电话应为7至12位数字")


# ---------------------------------------------------------------- helpers


def _with_member_count(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.annotate(
        member_count=Count("members", filter=Q(members__status__in=Member.ACTIVE_STATUSES)),
    ).order_by("path")  # GROUP BY queries drop Meta.ordering


def _party_group(user: Any, pk: int | None) -> Organization | None:
    """The 党小组 named in a member's input, looked up only inside the caller's scope."""
    if pk is None:
        return None
    group = Organization.objects.visible_to(user).filter(pk=pk).first()
    if group is None:
        raise serializers.ValidationError({"party_group": ["所在党小组不存在"]})
    return group


# ---------------------------------------------------------------- serializers


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(  # type: ignore[assignment]  # the stubs know Field.parent
        source="parent_id",
        allow_null=True,
        label="上级组织",
        help_text="上级组织ID；仅系统管理员可创建顶级组织",
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="组织类别名称")
    unit_category_display = serializers.CharField(
        source="get_unit_category_display", read_only=True, label="单位类别名称"
    )
    contact_phone = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=12,
        validators=[_PHONE],
        label="联系电话",
        help_text="仅用于写入；输出只有脱敏的 contact_phone_masked",
    )
    term_ends_on = serializers.DateField(read_only=True, allow_null=True, label="本届届满日期")
    unit_economic_type_display = serializers.CharField(
        source="get_unit_economic_type_display", read_only=True, label="单位性质/经济类型名称"
    )
    enterprise_size_display = serializers.CharField(
        source="get_enterprise_size_display", read_only=True, label="企业规模名称"
    )
    member_count = serializers.IntegerField(
        read_only=True, label="党员人数", help_text="本组织直属的在册党员人数（不含下级组织）"
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "parent",
            "path",
            "depth",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "unit_category",
            "unit_category_display",
            "unit_situation",
            "secretary_name",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "established_on",
            "has_committee",
            "term_started_on",
            "term_years",
            "term_ends_on",
            "member_count",
            "unit_name",
            "unit_credit_code",
            "unit_economic_type",
            "unit_economic_type_display",
            "enterprise_size",
            "enterprise_size_display",
            "unit_staff_count",
            "unit_address",
        ]
        read_only_fields = ["path", "depth", "contact_phone_masked"]
        # Uniqueness is the service's job (full_clean), not an unscoped query from the serializer.
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}


class OrganizationUpdateSerializer(OrganizationSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, label="上级组织")


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField(
        label="代码", help_text="too_few, too_many, no_committee, term_expired, term_expiring"
    )
    message = serializers.CharField(label="说明")


class MemberSerializer(serializers.ModelSerializer):
    org = serializers.IntegerField(source="org_id", label="所在党组织", help_text="所在党组织ID")
    org_name = serializers.CharField(source="org.name", read_only=True, label="所在党组织名称")
    party_group = serializers.IntegerField(
        source="party_group_id", allow_null=True, required=False, label="所在党小组", help_text="党小组ID"
    )
    party_group_name = serializers.CharField(
        source="party_group.name", read_only=True, allow_null=True, label="所在党小组名称"
    )
    id_number = serializers.CharField(
        write_only=True,
        max_length=20,
        label="公民身份号码",
        help_text="仅用于写入；输出只有脱敏的 id_number_masked",
    )
    phone = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=12,
        validators=[_PHONE],
        label="联系电话",
        help_text="仅用于写入；输出只有脱敏的 phone_masked",
    )
    education_display = serializers.CharField(
        source="get_education_display", read_only=True, label="学历名称"
    )
    category_display = serializers.CharField(
        source="get_category_display", read_only=True, label="人员类别名称"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="党籍状态名称")
    # The birth date is half of what an ID number hides: output gives the year only (GB/T 35273).
    birth_date = serializers.DateField(
        write_only=True,
        required=False,
        allow_null=True,
        label="出生日期",
        help_text="仅用于写入，不填则按身份证号；输出只有出生年份 birth_year",
    )
    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True, label="出生年份")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "birth_year",
            "id_number",
            "id_number_masked",
            "education",
            "education_display",
            "category",
            "category_display",
            "joined_on",
            "full_member_on",
            "org",
            "org_name",
            "party_group",
            "party_group_name",
            "phone",
            "phone_masked",
            "occupation",
            "status",
            "status_display",
            "is_exempt",
            "exempt_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id_number_masked", "phone_masked", "created_at", "updated_at"]
        # Gender (and the birth date, above) default to what the ID number says.
        extra_kwargs = {"gender": {"required": False, "allow_blank": True}}


class UnmaskRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(label="查看原因", help_text="将记入审计日志", allow_blank=True)


class UnmaskResponseSerializer(serializers.Serializer):
    id_number = serializers.CharField(label="公民身份号码")
    phone = serializers.CharField(label="联系电话", allow_blank=True)


# ---------------------------------------------------------------- views

_MEMBER_DATA_FIELDS = services.MEMBER_PLAIN_FIELDS
ERRORS = {400: OpenApiResponse(description="输入有误：{字段: [中文说明]}")}
FORBIDDEN = {403: OpenApiResponse(description="无写入权限")}
NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
# Method filters carry no type spectacular can see; name it here.
_UNDER = OpenApiParameter("under", OpenApiTypes.INT, description="上级组织ID（含其全部下级）")
_ORG = OpenApiParameter("org", OpenApiTypes.INT, description="所在组织ID（含其全部下级）")


class ScopedViewSet(viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _user(self) -> Actor:
        return cast(Actor, self.request.user)  # IsAuthenticated has run

    def _fetch(self, qs: QuerySet[Any], *, write: bool | None = None) -> Any:
        """The object of this URL inside the caller's scope: 404 outside it, 403 for a reader writing."""
        if write is None:
            write = self.request.method not in SAFE_METHODS
        return get_for_user(qs, self.request.user, self.kwargs["pk"], write=write)


@extend_schema(tags=["组织"])
@extend_schema_view(
    list=extend_schema(
        summary="组织列表",
        description="调用者授权范围内的党组织，可按名称、类别、上级筛选。",
        parameters=[_UNDER],
    ),
    retrieve=extend_schema(summary="组织详情", responses={200: OrganizationSerializer, **NOT_FOUND}),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    filterset_class = OrganizationFilter

    def get_queryset(self) -> QuerySet[Organization]:
        return _with_member_count(Organization.objects.visible_to(self._user()))

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "partial_update":
            return OrganizationUpdateSerializer
        if self.action == "warnings":
            return WarningSerializer
        return OrganizationSerializer

    def get_object(self) -> Organization:
        return self._fetch(_with_member_count(Organization.objects.all()))

    def _output(self, org: Organization, code: int = status.HTTP_200_OK) -> Response:
        """The organization as the API shows it, read again with its member count."""
        fresh = get_for_user(_with_member_count(Organization.objects.all()), self.request.user, org.pk)
        return Response(OrganizationSerializer(fresh).data, status=code)

    @extend_schema(
        summary="新增组织",
        request=OrganizationSerializer,
        responses={201: OrganizationSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def create(self, request: Request) -> Response:
        serializer = OrganizationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        parent_id = fields.pop("parent_id")
        parent = (
            None
            if parent_id is None
            else get_for_user(Organization.objects.all(), request.user, parent_id, write=True)
        )
        with service_errors():
            org = services.create_organization(actor=request.user, parent=parent, **fields)
        return self._output(org, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改组织",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        org = self._fetch(Organization.objects.all())
        serializer = OrganizationUpdateSerializer(org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.update_organization(actor=request.user, org=org, **serializer.validated_data)
        return self._output(org)

    @extend_schema(
        summary="下级组织",
        description="直属下级组织（分页，可再筛选）。",
        parameters=[_UNDER],
        responses={200: OrganizationSerializer(many=True), **NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str) -> Response:
        org = self._fetch(Organization.objects.all())
        qs = self.filter_queryset(self.get_queryset().filter(parent=org))
        page = self.paginate_queryset(qs)
        serializer = OrganizationSerializer(page if page is not None else qs, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    @extend_schema(
        summary="结构提醒",
        description="按《规则》第3章检查的结构提醒（党员人数、支委会、届期），只提醒不阻止。",
        responses={200: WarningSerializer(many=True), **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def warnings(self, request: Request, pk: str) -> Response:
        org = self._fetch(Organization.objects.all())
        found = org_warnings(org, timezone.localdate())
        return Response(WarningSerializer(found, many=True).data)


@extend_schema(tags=["党员"])
@extend_schema_view(
    list=extend_schema(
        summary="党员列表",
        description=(
            "调用者授权范围内的党员；身份证号和手机号只给脱敏值，出生日期只给年份。q 按姓名查找；"
            "按完整身份证号或手机号精确查找需要“按完整身份证号或手机号查找党员”权限，"
            "每次都记入审计日志并限制频率，无此权限时不返回任何党员。"
        ),
        parameters=[_ORG],
    ),
    retrieve=extend_schema(summary="党员详情", responses={200: MemberSerializer, **NOT_FOUND}),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self) -> QuerySet[Member]:
        return (
            Member.objects.visible_to(self._user())
            .select_related("org", "party_group")
            .defer("id_number_enc", "phone_enc")  # never needed to list; masked columns suffice
        )

    def get_object(self) -> Member:
        return self._fetch(Member.objects.select_related("org", "party_group"))

    @extend_schema(
        summary="新增党员",
        responses={201: MemberSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def create(self, request: Request) -> Response:
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        org = get_for_user(Organization.objects.all(), request.user, given["org_id"], write=True)
        values = {name: given[name] for name in _MEMBER_DATA_FIELDS if name in given}
        data = services.MemberData(
            id_number=given["id_number"],
            phone=given.get("phone", ""),
            org=org,
            party_group=_party_group(request.user, given.get("party_group_id")),
            **values,
        )
        with service_errors():
            member = services.create_member(actor=request.user, data=data)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改党员",
        responses={200: MemberSerializer, **ERRORS, **FORBIDDEN, **NOT_FOUND},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        serializer = MemberSerializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        values: dict[str, Any] = {name: getattr(member, name) for name in _MEMBER_DATA_FIELDS}
        # The service re-stores the personal data, so unchanged values are carried over as they are.
        values["id_number"] = personal.decrypt(member.id_number_enc)
        values["phone"] = personal.decrypt(member.phone_enc)
        values["org"] = member.org
        values["party_group"] = member.party_group
        if "id_number" in given:
            values["birth_date"], values["gender"] = None, ""  # derived again unless also given
        if "org_id" in given and given["org_id"] != member.org_id:
            values["org"] = get_for_user(
                Organization.objects.all(), request.user, given["org_id"], write=True
            )
            values["party_group"] = None
        if "party_group_id" in given:
            values["party_group"] = _party_group(request.user, given["party_group_id"])
        values.update(
            {name: given[name] for name in [*_MEMBER_DATA_FIELDS, "id_number", "phone"] if name in given}
        )
        values["gender"] = values["gender"] or ""
        with service_errors():
            member = services.update_member(
                actor=request.user, member=member, data=services.MemberData(**values)
            )
        return Response(MemberSerializer(member).data)

    @extend_schema(
        summary="查看完整身份证号和手机号",
        description="需要“查看完整身份证号和手机号”权限并说明原因；每次查看都记入审计日志。响应不得缓存。",
        request=UnmaskRequestSerializer,
        responses={
            200: UnmaskResponseSerializer,
            400: OpenApiResponse(description="未说明原因"),
            403: OpenApiResponse(description="没有查看完整个人信息的权限"),
            **NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def unmask(self, request: Request, pk: str) -> Response:
        member = self._fetch(Member.objects.select_related("org"), write=False)
        serializer = UnmaskRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            shown = services.reveal_member_personal_data(
                actor=request.user, member=member, reason=serializer.validated_data["reason"]
            )
        return Response(UnmaskResponseSerializer(shown).data)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.action == "unmask":
            patch_cache_control(response, no_store=True, private=True)
        return response
