"""Photos of a record sent in chunks (orglife.services.photo_uploads), for the phone's offline outbox:
POST each chunk (raw bytes) to …/photo-uploads/{upload_id}/chunks/{index}/?total=N&name=…, GET the upload
to learn which chunks arrived, POST …/complete/ to store the photo. Every call is safe to repeat."""

from __future__ import annotations

from typing import Any, cast

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from orglife.models import MeetingRecord, PhotoUpload
from orglife.services import photo_uploads as svc
from orglife.services.records import RecordLocked
from orgs.access import get_for_user
from orgs.api_errors import service_errors


class Locked(APIException):
    status_code = 409
    default_detail = "只有草稿或被退回的纪实可以添加照片和附件"
    default_code = "locked"


class ChunkParser(BaseParser):
    """A chunk's raw bytes (at most one byte over the limit is read: the service refuses what is longer).
    A parser, not request.body: the session's CSRF check reads the request's data first."""

    media_type = "application/octet-stream"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream.read(svc.CHUNK_MAX + 1) if stream is not None else b""


class UploadStateSerializer(serializers.Serializer):
    received = serializers.ListField(child=serializers.IntegerField(), label="已收到的分块序号")
    total = serializers.IntegerField(label="分块总数")
    done = serializers.BooleanField(label="已完成（照片已保存）")
    attachment = serializers.IntegerField(allow_null=True, label="保存后的照片ID")


def _state(state: svc.UploadState) -> Response:
    return Response(
        {
            "received": state.received,
            "total": state.total,
            "done": state.done,
            "attachment": state.attachment.pk if state.attachment else None,
        }
    )


def _record(request: Request, pk: int, *, write: bool) -> MeetingRecord:
    user = cast(User, request.user)
    return get_for_user(MeetingRecord.objects.select_related("org"), user, pk, write=write)


def _run(fn: Any) -> Response:
    try:
        with service_errors():
            return _state(fn())
    except RecordLocked as exc:
        raise Locked(exc.message) from exc


def _int(value: str | None, label: str) -> int:
    if value is None or not value.isdigit():
        raise serializers.ValidationError({"photos": [f"缺少{label}"]})
    return int(value)


_ANSWERS = {
    200: UploadStateSerializer,
    400: OpenApiResponse(description="输入有误：{photos: [中文说明]}"),
    403: OpenApiResponse(description="无此操作权限"),
    404: OpenApiResponse(description="纪实不存在，或不在您的授权范围内"),
    409: OpenApiResponse(description="纪实已提交或已审核，不能再添加照片"),
}


@extend_schema(
    tags=["组织生活纪实"],
    summary="分块上传照片：查询已收到的分块",
    responses=_ANSWERS,
)
@api_view(["GET"])
def upload_state(request: Request, pk: int, upload_id: str) -> Response:
    record = _record(request, pk, write=False)
    upload = PhotoUpload.objects.filter(record=record, upload_id=upload_id).first()
    if upload is None:
        return Response({"received": [], "total": 0, "done": False, "attachment": None})
    return _state(svc.upload_state(upload))


@extend_schema(
    tags=["组织生活纪实"],
    summary="分块上传照片：发送一个分块",
    description="请求体为该分块的原始字节（application/octet-stream，不超过 512KB）。"
    "同一分块重发会覆盖为相同内容，不会重复保存。",
    parameters=[
        OpenApiParameter("total", int, description="分块总数"),
        OpenApiParameter("name", str, description="照片文件名"),
    ],
    request={"application/octet-stream": OpenApiTypes.BINARY},
    responses=_ANSWERS,
)
@api_view(["POST"])
@parser_classes([ChunkParser])
def upload_chunk(request: Request, pk: int, upload_id: str, index: int) -> Response:
    record = _record(request, pk, write=True)
    total = _int(request.query_params.get("total"), "分块总数")
    name = request.query_params.get("name", "")
    data = request.data if isinstance(request.data, bytes) else b""
    return _run(
        lambda: svc.receive_chunk(
            actor=cast(User, request.user),
            record=record,
            upload_id=upload_id,
            index=index,
            total=total,
            name=name,
            data=data,
        )
    )


@extend_schema(
    tags=["组织生活纪实"],
    summary="分块上传照片：完成（拼合、按内容校验、去除EXIF后保存）",
    description="再次调用返回第一次保存的照片，不重复保存。",
    request=None,
    responses=_ANSWERS,
)
@api_view(["POST"])
def upload_complete(request: Request, pk: int, upload_id: str) -> Response:
    record = _record(request, pk, write=True)
    user = cast(User, request.user)
    return _run(lambda: svc.complete_upload(actor=user, record=record, upload_id=upload_id))


BASE = "records/<int:pk>/photo-uploads/<str:upload_id>/"
urlpatterns = [
    path(BASE, upload_state, name="api-record-photo-upload"),
    path(BASE + "chunks/<int:index>/", upload_chunk, name="api-record-photo-chunk"),
    path(BASE + "complete/", upload_complete, name="api-record-photo-complete"),
]
