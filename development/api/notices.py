"""people/<id>/objections/ (the 反映意见 of a person's 公示: list, record) and objections/<id>/resolve/
(close one with how it was handled): the same services and forms as the 公示 page."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from development.forms import ObjectionForm, ResolveObjectionForm
from development.models import Notice, NoticeObjection, Person
from development.services import notices
from orgs.access import get_for_user
from orgs.api_errors import service_errors

_ERRORS = {
    400: OpenApiResponse(description="输入或规则校验未通过"),
    403: OpenApiResponse(description="无权办理"),
    404: OpenApiResponse(description="未找到"),
}


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeObjection
        fields = [
            "id",
            "notice",
            "notice_on",
            "received_on",
            "received_by",
            "source",
            "content",
            "handling",
            "outcome",
            "resolved_on",
        ]
        read_only_fields = fields


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise serializers.ValidationError(form.errors.get_json_data())
    return dict(form.cleaned_data)


class PersonObjectionsView(APIView):
    @extend_schema(summary="公示反映意见列表", responses={200: ObjectionSerializer(many=True), **_ERRORS})
    def get(self, request: Request, pk: Any) -> Response:
        person = get_for_user(Person.objects.all(), request.user, pk)
        return Response(ObjectionSerializer(person.objections.order_by("received_on", "id"), many=True).data)

    @extend_schema(
        summary="登记公示反映意见（字段同页面表单）",
        request=ObjectionSerializer,
        responses={201: ObjectionSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: Any) -> Response:
        person = get_for_user(Person.objects.select_related("org"), request.user, pk, write=True)
        data = _valid(ObjectionForm(request.data, notices=[k.value for k in Notice]))
        with service_errors():
            item = notices.record_objection(actor=cast(User, request.user), person=person, **data)
        return Response(ObjectionSerializer(item).data, status=status.HTTP_201_CREATED)


class ObjectionResolveView(APIView):
    @extend_schema(
        summary="办结公示反映意见（resolved_on、outcome、handling）",
        request=ObjectionSerializer,
        responses={200: ObjectionSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: Any) -> Response:
        item = get_for_user(
            NoticeObjection.objects.select_related("person__org"), request.user, pk, write=True
        )
        data = _valid(ResolveObjectionForm(request.data))
        with service_errors():
            item = notices.resolve_objection(actor=cast(User, request.user), objection=item, **data)
        return Response(ObjectionSerializer(item).data)
