"""REST API for meeting records (纪实) under /api/v1/orglife/records/, calling orglife.services.records.

Serializers shape input and output; they never save. Photos are uploaded as multipart and downloaded
through the access-checked attachment endpoint (never a public media URL).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import User
from orglife.filters.records import RecordFilter
from orglife.models import Attendance, MeetingRecord, MeetingType, PlanItem, RecordAttachment
from orglife.services import records as svc
from orgs.access import get_for_user
from orgs.api_errors import service_errors
from orgs.models import Organization


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该纪实当前状态不允许此操作"
    default_code = "locked"


# ---------------------------------------------------------------- serializers


class RecordAttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="姓名")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="出席情况名称")

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "status_display", "absence_reason"]


class RecordAttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="类别", help_text="photo：照片；file：附件")
    reused = serializers.SerializerMethodField(label="疑似重复使用")

    class Meta:
        model = RecordAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "phash", "reused", "created_at"]

    def get_reused(self, obj: RecordAttachment) -> bool:
        return obj.reused_from_id is not None


class RecordCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField(label="符合规定")
    text = serializers.CharField(label="说明")


class RecordAttendanceSummarySerializer(serializers.Serializer):
    due = serializers.IntegerField(label="应到")
    present = serializers.IntegerField(label="实到")
    absent = serializers.IntegerField(label="缺席")
    exempt = serializers.IntegerField(label="免参")
    rate = serializers.FloatField(label="出席率（%）", allow_null=True)


class RecordSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True, label="党支部名称")
    meeting_type_display = serializers.CharField(source="get_meeting_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    unplanned = serializers.SerializerMethodField(label="计划外")
    photo_check = serializers.ChoiceField(
        choices=list(MeetingRecord.PHOTO_CHECKS.items()),
        read_only=True,
        label="照片查重",
        help_text="pending：照片查重中（photo_reused 尚无结论）；reused：照片疑似重复；clear：未发现重复照片",
    )
    attendance_summary = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()
    attendance = RecordAttendanceSerializer(many=True, read_only=True)
    attachments = RecordAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = MeetingRecord
        fields = [
            "id",
            "org",
            "org_name",
            "group",
            "meeting_type",
            "meeting_type_display",
            "plan_item",
            "unplanned",
            "month",
            "topic",
            "started_at",
            "ended_at",
            "place",
            "host_name",
            "recorder_name",
            "lecturer_name",
            "agenda",
            "content",
            "decisions",
            "vote_subject",
            "votes_yes",
            "votes_no",
            "votes_abstain",
            "eligible_voters",
            "present_voters",
            "quorum_met",
            "vote_passed",
            "committee_size",
            "committee_present",
            "status",
            "status_display",
            "is_backfill",
            "photo_reused",
            "photos_pending",
            "photo_check",
            "counts",
            "approved_at",
            "created_at",
            "updated_at",
            "attendance_summary",
            "checks",
            "attendance",
            "attachments",
        ]
        read_only_fields = fields

    def get_unplanned(self, obj: MeetingRecord) -> bool:
        return obj.plan_item_id is None

    @extend_schema_field(RecordAttendanceSummarySerializer)
    def get_attendance_summary(self, obj: MeetingRecord) -> dict[str, Any]:
        return svc.attendance_summary(obj)

    @extend_schema_field(RecordCheckSerializer(many=True))
    def get_checks(self, obj: MeetingRecord) -> list[dict[str, Any]]:
        return [{"ok": c.ok, "text": c.text} for c in svc.record_checks(obj)]


class RecordAttendanceInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    present = serializers.BooleanField(label="出席")
    reason = serializers.CharField(label="缺席原因", required=False, allow_blank=True, max_length=120)


class RecordInputSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="党支部ID", help_text="仅新增时需要")
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices, label="会议类型")
    group = serializers.IntegerField(
        label="党小组ID", required=False, allow_null=True, help_text="党小组会必填"
    )
    plan_item = serializers.IntegerField(
        label="对应计划事项ID", required=False, allow_null=True, help_text="留空为计划外"
    )
    topic = serializers.CharField(max_length=200, label="主题")
    started_at = serializers.DateTimeField(label="开始时间")
    ended_at = serializers.DateTimeField(label="结束时间")
    place = serializers.CharField(max_length=120, label="地点")
    host_name = serializers.CharField(max_length=40, label="主持人")
    recorder_name = serializers.CharField(max_length=40, label="记录人")
    lecturer_name = serializers.CharField(max_length=40, required=False, allow_blank=True, label="党课主讲人")
    agenda = serializers.CharField(required=False, allow_blank=True, label="议程")
    content = serializers.CharField(label="会议内容")
    decisions = serializers.CharField(required=False, allow_blank=True, label="决议事项")
    vote_subject = serializers.CharField(max_length=200, required=False, allow_blank=True, label="表决事项")
    votes_yes = serializers.IntegerField(min_value=0, required=False, allow_null=True, label="赞成")
    votes_no = serializers.IntegerField(min_value=0, required=False, allow_null=True, label="反对")
    votes_abstain = serializers.IntegerField(min_value=0, required=False, allow_null=True, label="弃权")
    attendance = RecordAttendanceInputSerializer(
        many=True, label="出席情况", help_text="每名应到党员一项；免参人员由系统自动列入"
    )


class RecordUpdateSerializer(RecordInputSerializer):
    org = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class RecordAmendSerializer(RecordUpdateSerializer):
    reason = serializers.CharField(label="更正原因", max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True


class RecordReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label="退回原因", max_length=500)


class RecordUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, label="照片（1至9张）")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, label="附件（PDF/docx/xlsx）"
    )


# ---------------------------------------------------------------- input → RecordData


def _data(org: Organization, given: dict[str, Any], record: MeetingRecord | None = None) -> svc.RecordData:
    """RecordData from validated input, taking unspecified fields from the record (PATCH semantics)."""
    values: dict[str, Any] = {}
    if record is not None:
        for name in svc.DATA_FIELDS:
            values[name] = getattr(record, name)
        values["attendance"] = [
            svc.AttendanceEntry(a.member_id, a.status == Attendance.Status.PRESENT, a.absence_reason)
            for a in record.attendance.exclude(status=Attendance.Status.EXEMPT)
        ]
    for name, value in given.items():
        if name in ("org", "reason"):
            continue
        if name == "group":
            value = _group(org, value)
        elif name == "plan_item":
            value = _plan_item(org, value)
        elif name == "attendance":
            value = [svc.AttendanceEntry(a["member"], a["present"], a.get("reason", "")) for a in value]
        values[name] = value
    for name in ("lecturer_name", "agenda", "decisions", "vote_subject"):
        values[name] = values.get(name) or ""
    return svc.RecordData(**values)


def _group(org: Organization, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    group = org.children.filter(pk=pk, kind=Organization.Kind.GROUP).first()
    if group is None:
        raise serializers.ValidationError({"group": ["所选党小组不属于本支部"]})
    return group


def _plan_item(org: Organization, pk: int | None) -> PlanItem | None:
    if pk is None:
        return None
    item = PlanItem.objects.filter(pk=pk, plan__org=org).first()
    if item is None:
        raise serializers.ValidationError({"plan_item": ["所选计划事项不属于本支部"]})
    return item


# ---------------------------------------------------------------- views

_ERRORS = {400: OpenApiResponse(description="输入有误：{字段: [中文说明]}")}
_FORBIDDEN = {403: OpenApiResponse(description="无此操作权限")}
_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_CONFLICT = {409: OpenApiResponse(description="纪实当前状态不允许此操作（如已审核锁定）")}
_WRITE = {**_ERRORS, **_FORBIDDEN, **_NOT_FOUND, **_CONFLICT}


@extend_schema(tags=["组织生活纪实"])
@extend_schema_view(
    list=extend_schema(
        summary="纪实列表", description="调用者授权范围内的纪实，可按组织、月份、类型、状态、标记筛选。"
    ),
    retrieve=extend_schema(summary="纪实详情", responses={200: RecordSerializer, **_NOT_FOUND}),
)
class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[MeetingRecord]:
        return (
            MeetingRecord.objects.visible_to(_user(self.request))
            .select_related("org")
            .prefetch_related("attendance__member", "attachments")
        )

    def get_object(self) -> MeetingRecord:
        write = self.request.method not in SAFE_METHODS
        return get_for_user(
            MeetingRecord.objects.select_related("org"), _user(self.request), self.kwargs["pk"], write=write
        )

    def _run(self, fn: Any) -> Any:
        try:
            with service_errors():
                return fn()
        except svc.RecordLocked as exc:
            raise Conflict(exc.message) from exc

    def _output(self, record: MeetingRecord, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(RecordSerializer(fresh).data, status=code)

    @extend_schema(
        summary="登记纪实（草稿）",
        description="可带请求头 Idempotency-Key（8–64 位字母、数字、-、_，由客户端为这份纪实生成）："
        "同一个键再次提交时返回第一次保存的纪实（200），不重复保存。",
        request=RecordInputSerializer,
        responses={201: RecordSerializer, 200: RecordSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        serializer = RecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = get_for_user(
            Organization.objects.all(), _user(request), serializer.validated_data["org"], write=True
        )
        data = _data(org, serializer.validated_data)
        key = request.headers.get("Idempotency-Key", "").strip()
        record = self._run(
            lambda: svc.create_record(actor=_user(request), org=org, data=data, client_key=key)
        )
        # The same key again: the record stored the first time, not a second one.
        return self._output(
            record, status.HTTP_200_OK if getattr(record, "replayed", False) else status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="修改纪实（仅草稿或被退回）",
        request=RecordUpdateSerializer,
        responses={200: RecordSerializer, **_WRITE},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        serializer = RecordUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if record.status not in svc.EDITABLE:
            raise Conflict(svc.RecordLocked().message if record.is_locked else "该纪实正在审核中，不能修改")
        data = _data(record.org, serializer.validated_data, record)
        self._run(lambda: svc.update_record(actor=_user(request), record=record, data=data))
        return self._output(record)

    @extend_schema(summary="提交审核", request=None, responses={200: RecordSerializer, **_WRITE})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        self._run(lambda: svc.submit_record(actor=_user(request), record=record))
        return self._output(record)

    @extend_schema(
        summary="审核通过",
        description="支部书记审核；补录的纪实经书记审核后转上级党(工)委审核（状态 awaiting_committee）。",
        request=None,
        responses={200: RecordSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        self._run(lambda: svc.approve_record(actor=_user(request), record=record))
        return self._output(record)

    @extend_schema(
        summary="退回", request=RecordReturnSerializer, responses={200: RecordSerializer, **_WRITE}
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_record(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        serializer = RecordReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        self._run(lambda: svc.return_record(actor=_user(request), record=record, reason=reason))
        return self._output(record)

    @extend_schema(
        summary="更正已审核的纪实",
        description="已审核的纪实锁定，只能更正：须说明原因，修改前后内容记入历史。出席名单为会议当时人员。",
        request=RecordAmendSerializer,
        responses={200: RecordSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        serializer = RecordAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if record.status != MeetingRecord.Status.APPROVED:
            raise Conflict("只有已审核的纪实需要更正；未审核的纪实请直接修改")
        data = _data(record.org, serializer.validated_data, record)
        reason = serializer.validated_data["reason"]
        self._run(lambda: svc.amend_record(actor=_user(request), record=record, data=data, reason=reason))
        return self._output(record)

    @extend_schema(
        summary="上传照片和附件",
        description="multipart/form-data：photos（可多个）、files（可多个）。按文件内容识别类型，照片重新编码并去除EXIF。",
        request={"multipart/form-data": RecordUploadSerializer},
        responses={200: RecordSerializer, **_WRITE},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="attachments")
    def upload(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        photos, files = request.FILES.getlist("photos"), request.FILES.getlist("files")
        if not photos and not files:
            raise serializers.ValidationError({"photos": ["请选择要上传的照片或附件"]})
        self._run(
            lambda: svc.add_attachments(actor=_user(request), record=record, photos=photos, files=files)
        )
        return self._output(record)

    @extend_schema(
        summary="下载照片或附件 / 删除（仅草稿）",
        methods=["GET"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_NOT_FOUND},
    )
    @extend_schema(
        methods=["DELETE"], summary="删除照片或附件（仅草稿或被退回）", responses={204: None, **_WRITE}
    )
    @action(detail=True, methods=["get", "delete"], url_path=r"attachments/(?P<att>[0-9]+)")
    def attachment(self, request: Request, pk: str, att: str) -> Any:
        record = self.get_object()
        attachment = record.attachments.filter(pk=att).first()
        if attachment is None:
            raise Http404("未找到该附件")
        if request.method == "DELETE":
            self._run(lambda: svc.remove_attachment(actor=_user(request), attachment=attachment))
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            handle = default_storage.open(attachment.file.name or "", "rb")
        except FileNotFoundError:
            raise Http404("文件不存在") from None
        response = FileResponse(
            handle,
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
        patch_cache_control(response, private=True, max_age=3600)
        return response


router = SimpleRouter()
router.register("records", RecordViewSet, basename="api-record")
urlpatterns = router.urls
