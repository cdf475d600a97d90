"""Photo pairs (照片复用核查) under /api/v1/orglife/photo-matches/: the pairs the caller sees, a pair with both
records, the secretary's explanation and the patrol's review — the same selectors, FilterSet and services
(orglife.services.photos) as the pages.

A pair is visible to whoever sees either of its records; of a record outside the caller's scope only what
the side-by-side page shows is given (branch, date, file name), not its topic.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter

from accounts.models import User
from orglife.filters.photos import PhotoMatchFilter
from orglife.models import PhotoMatch, RecordAttachment
from orglife.selectors.photos import PAIR_RELATED, visible_record_ids
from orglife.services import photos as svc
from orglife.services.patrol import can_patrol
from orglife.services.records import can_create, thumbnail_path
from orgs.access import get_for_user
from orgs.api_errors import service_errors


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


# ---------------------------------------------------------------- serializers


class PairSideSerializer(serializers.Serializer):
    record = serializers.IntegerField(label="纪实ID")
    visible = serializers.BooleanField(label="可查看该纪实", help_text="false：该纪实不在您的授权范围内")
    org_name = serializers.CharField(label="党支部")
    started_at = serializers.DateTimeField(label="会议开始时间")
    topic = serializers.CharField(allow_null=True, label="会议主题", help_text="不在授权范围内时为 null")
    photo = serializers.IntegerField(label="照片ID")
    original_name = serializers.CharField(label="文件名")
    image = serializers.URLField(label="照片地址", help_text="加 ?thumb=1 取缩略图")


class PhotoMatchSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类型名称")
    review_display = serializers.CharField(source="get_review_display", read_only=True, label="核查名称")
    flags = serializers.BooleanField(read_only=True, label="标记两条纪实", help_text="复用且说明未被认可")
    earlier = serializers.SerializerMethodField(label="较早上传的照片及其纪实")
    later = serializers.SerializerMethodField(label="较晚上传的照片及其纪实")
    explained_by_name = serializers.SerializerMethodField(label="说明人")
    can_explain = serializers.SerializerMethodField(label="调用者可填写情况说明")
    can_review = serializers.SerializerMethodField(label="调用者可核查说明")

    class Meta:
        model = PhotoMatch
        fields = [
            "id",
            "kind",
            "kind_display",
            "score",
            "same_record",
            "flags",
            "review",
            "review_display",
            "explanation",
            "explained_by_name",
            "explained_at",
            "reviewed_at",
            "created_at",
            "earlier",
            "later",
            "can_explain",
            "can_review",
        ]
        read_only_fields = fields

    def _side(self, match: PhotoMatch, side: str) -> dict[str, Any]:
        record = match.other_record if side == "other" else match.record
        photo: RecordAttachment = match.other if side == "other" else match.photo
        visible = record.pk in self.context["visible"]
        url = reverse(
            "api-orglife-photo-match-image", args=[match.pk, side], request=self.context.get("request")
        )
        return {
            "record": record.pk,
            "visible": visible,
            "org_name": record.org.display_name,
            "started_at": record.started_at,
            "topic": record.topic if visible else None,
            "photo": photo.pk,
            "original_name": photo.original_name,
            "image": url,
        }

    @extend_schema_field(PairSideSerializer)
    def get_earlier(self, obj: PhotoMatch) -> dict[str, Any]:
        return PairSideSerializer(self._side(obj, "other")).data

    @extend_schema_field(PairSideSerializer)
    def get_later(self, obj: PhotoMatch) -> dict[str, Any]:
        return PairSideSerializer(self._side(obj, "photo")).data

    def get_explained_by_name(self, obj: PhotoMatch) -> str:
        who = obj.explained_by
        return (who.get_full_name() or who.username) if who else ""

    def get_can_explain(self, obj: PhotoMatch) -> bool:
        user = self.context["request"].user
        return (
            obj.kind == PhotoMatch.Kind.REUSE
            and obj.review != PhotoMatch.Review.ACCEPTED
            and (can_create(user, obj.record.org) or can_create(user, obj.other_record.org))
        )

    def get_can_review(self, obj: PhotoMatch) -> bool:
        user = self.context["request"].user
        return obj.review == PhotoMatch.Review.EXPLAINED and can_patrol(user, obj.record.org.path)


class ExplainSerializer(serializers.Serializer):
    explanation = serializers.CharField(
        allow_blank=True, max_length=1000, label="情况说明", help_text="如：同一活动多次记录（不超过 300 字）"
    )


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("accept", "认可说明"), ("reject", "不认可")], label="核查结果"
    )


# ---------------------------------------------------------------- views

_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_WRITE = {
    400: OpenApiResponse(description="输入有误：{字段: [中文说明]}"),
    403: OpenApiResponse(description="无此操作权限"),
    **_NOT_FOUND,
}


@extend_schema(tags=["组织生活照片复用核查"])
@extend_schema_view(
    list=extend_schema(
        summary="照片比对列表",
        description="调用者可查看的纪实（任一方）所涉的照片比对；默认只列待核查的复用。",
    ),
    retrieve=extend_schema(summary="照片比对详情", responses={200: PhotoMatchSerializer, **_NOT_FOUND}),
)
class PhotoMatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PhotoMatchSerializer
    filterset_class = PhotoMatchFilter
    _visible: frozenset[int] | set[int] = frozenset()

    def get_queryset(self) -> QuerySet[PhotoMatch]:
        return PhotoMatch.objects.visible_to(_user(self.request)).select_related(*PAIR_RELATED)

    def get_object(self) -> PhotoMatch:
        write = self.action == "explain"
        return get_for_user(
            PhotoMatch.objects.select_related(*PAIR_RELATED),
            _user(self.request),
            self.kwargs["pk"],
            write=write,
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "visible": self._visible}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        items = list(page) if page is not None else []
        self._visible = visible_record_ids(_user(request), items)
        return self.get_paginated_response(self.get_serializer(items, many=True).data)

    def _answer(self, match: PhotoMatch) -> Response:
        fresh = self.get_object()
        self._visible = visible_record_ids(_user(self.request), [fresh])
        return Response(self.get_serializer(fresh).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self.get_object())

    @extend_schema(
        summary="填写情况说明（支部书记或支部管理员）",
        request=ExplainSerializer,
        responses={200: PhotoMatchSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def explain(self, request: Request, pk: str) -> Response:
        match = self.get_object()
        given = ExplainSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            svc.explain_match(
                actor=_user(request), match=match, explanation=given.validated_data["explanation"]
            )
        return self._answer(match)

    @extend_schema(
        summary="核查情况说明（巡查员或上级党组织管理员）",
        request=ReviewSerializer,
        responses={200: PhotoMatchSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        match = self.get_object()
        if not can_patrol(_user(request), match.record.org.path):
            raise PermissionDenied("只有巡查员或上级党组织管理员可以核查照片情况说明")
        given = ReviewSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            svc.review_match(
                actor=_user(request), match=match, accept=given.validated_data["decision"] == "accept"
            )
        return self._answer(match)

    @extend_schema(
        summary="比对中的一张照片",
        description="side=other 为较早上传的照片，side=photo 为较晚上传的照片；?thumb=1 取缩略图。",
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **_NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path=r"image/(?P<side>(?:photo|other))")
    def image(self, request: Request, pk: str, side: str) -> FileResponse:
        match = self.get_object()
        attachment = match.photo if side == "photo" else match.other
        name = thumbnail_path(attachment) if request.query_params.get("thumb") else attachment.file.name
        try:
            handle = default_storage.open(name or "", "rb")
        except FileNotFoundError:
            raise Http404("文件不存在") from None
        response = FileResponse(handle, content_type="image/jpeg")
        patch_cache_control(response, private=True, max_age=3600)
        return response


router = SimpleRouter()
router.register("photo-matches", PhotoMatchViewSet, basename="api-orglife-photo-match")
urlpatterns = router.urls
