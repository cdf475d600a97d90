"""学习教育 API under /api/v1/learning/: 微党课 (list, detail, and recording one through the page's service),
the education videos with the caller's own watching progress, the caller's 必看/选看 assignments, a
member's 学时 account of a year, and the versioned 学时 conversion table (L-06). The same scopes, selectors and
services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from accounts.models import User
from learning import services
from learning.conversions import current_conversion
from learning.models import (
    Conversion,
    Lesson,
    StudyBook,
    StudyCheck,
    StudyRecord,
    Training,
    Video,
    VideoAssignment,
    WatchProgress,
)
from learning.selectors import account_lines, account_rows
from learning.selectors.accounts import member_for
from learning.services import books as book_svc
from learning.services import conversions as conversion_svc
from learning.services import videos as video_svc
from orglife.models import MeetingRecord
from orgs.access import covers, get_for_user, has_any_scope, own_member_id, require_writer
from orgs.api_errors import service_errors
from orgs.models import Member, Organization
from orgs.paths import under_path_q


def _user(request: Request) -> User:
    return cast(User, request.user)  # the API answers authenticated users only (IsAuthenticated)


def _year(request: Request) -> int:
    raw = request.query_params.get("year") or ""
    this = timezone.localdate().year
    if not raw:
        return this
    if not raw.isdigit() or not 2000 <= int(raw) <= this + 1:
        raise serializers.ValidationError({"year": [f"年度应为 2000–{this + 1}"]})
    return int(raw)


# ---------------------------------------------------------------- 微党课


class LessonSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="党组织")
    speaker_name = serializers.CharField(source="speaker.name", read_only=True, label="授课人")
    audience = serializers.IntegerField(read_only=True, label="听课人数", help_text="计入学时的听课党员数")

    class Meta:
        model = Lesson
        fields = [
            "id",
            "org",
            "org_name",
            "speaker",
            "speaker_name",
            "topic",
            "given_on",
            "minutes",
            "outline",
            "record",
            "slides_name",
            "video",
            "audience",
            "created_at",
        ]
        read_only_fields = fields


class LessonCreateSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="党支部ID")
    speaker = serializers.IntegerField(label="授课人（党员ID）")
    topic = serializers.CharField(max_length=120, label="题目")
    given_on = serializers.DateField(label="授课日期")
    minutes = serializers.IntegerField(min_value=1, max_value=600, label="时长（分钟）")
    outline = serializers.CharField(required=False, allow_blank=True, default="", label="提纲")
    record = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        label="主题党日纪实ID",
        help_text="听课党员按其签到计入学时",
    )


_NOT_FOUND = {404: OpenApiResponse(description="不存在，或不在您的授权范围内")}
_WRITE = {
    400: OpenApiResponse(description="输入有误：{字段: [中文说明]}"),
    403: OpenApiResponse(description="无写入权限"),
    **_NOT_FOUND,
}
_YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度，缺省为今年")


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(
        summary="微党课列表",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="组织ID：只列该组织及其下级的微党课"),
            _YEAR,
            OpenApiParameter("q", OpenApiTypes.STR, description="按题目或授课人搜索"),
        ],
    ),
    retrieve=extend_schema(summary="微党课详情", responses={200: LessonSerializer, **_NOT_FOUND}),
)
class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LessonSerializer
    filter_backends: list[Any] = []

    def _scoped(self) -> QuerySet[Lesson]:
        return (
            Lesson.objects.select_related("org", "speaker")
            .annotate(audience=Count("entries"))
            .order_by("-given_on", "-pk")
        )

    def get_queryset(self) -> QuerySet[Lesson]:
        user = _user(self.request)
        qs = self._scoped().filter(pk__in=Lesson.objects.visible_to(user).values("pk"))
        params = self.request.query_params
        if params.get("org"):
            org = get_for_user(Organization.objects.all(), user, params["org"])
            qs = qs.filter(under_path_q(org.path, "org__path"))
        qs = qs.filter(given_on__year=_year(self.request))
        q = (params.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(topic__contains=q) | Q(speaker__name__contains=q))
        return qs

    def get_object(self) -> Lesson:
        return get_for_user(self._scoped(), _user(self.request), self.kwargs["pk"])

    @extend_schema(
        summary="登记微党课",
        description="与页面调用同一服务：授课人计积分，关联纪实的到会党员计入学时。",
        request=LessonCreateSerializer,
        responses={201: LessonSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        require_writer(user)
        given = LessonCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        org = get_for_user(Organization.objects.all(), user, d["org"], write=True)
        if not org.is_branch:
            raise serializers.ValidationError({"org": ["微党课须登记在党支部"]})
        speaker = Member.objects.visible_to(user).select_related("org").filter(pk=d["speaker"]).first()
        if speaker is None:
            raise serializers.ValidationError({"speaker": ["授课人不存在或不在您的授权范围内"]})
        record = None
        if d["record"] is not None:
            record = MeetingRecord.objects.visible_to(user).filter(pk=d["record"]).first()
            if record is None:
                raise serializers.ValidationError({"record": ["纪实不存在或不在您的授权范围内"]})
        with service_errors():
            lesson = services.give_lesson(
                actor=user,
                data=services.LessonData(
                    org=org,
                    speaker=speaker,
                    topic=d["topic"],
                    given_on=d["given_on"],
                    minutes=d["minutes"],
                    outline=d["outline"],
                    record=record,
                ),
            )
        return Response(
            LessonSerializer(self._scoped().get(pk=lesson.pk)).data, status=status.HTTP_201_CREATED
        )


# ---------------------------------------------------------------- 教育片 and the caller's progress


class ProgressSerializer(serializers.Serializer):
    credited = serializers.FloatField(label="已认定观看（秒）")
    position = serializers.FloatField(label="播放位置（秒）", help_text="续播从此处开始")
    percent = serializers.IntegerField(label="已认定比例（%）")
    completed_at = serializers.DateTimeField(allow_null=True, label="完成时间")


class VideoSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="发布组织")
    my_progress = serializers.SerializerMethodField(
        label="我的观看进度", help_text="未观看或非党员账号时为空"
    )

    class Meta:
        model = Video
        fields = [
            "id",
            "org",
            "org_name",
            "title",
            "category",
            "tags",
            "source",
            "duration",
            "status",
            "created_at",
            "my_progress",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_my_progress(self, obj: Video) -> dict[str, Any] | None:
        return progress_of(self.context.get("progress", {}).get(obj.pk), obj.duration)


def progress_of(p: WatchProgress | None, duration: int) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "credited": p.credited,
        "position": p.position,
        "percent": min(100, int(p.credited * 100 / duration)) if duration else 0,
        "completed_at": p.completed_at,
    }


def _own_member(user: User) -> Member | None:
    member_id = own_member_id(user)
    return Member.objects.select_related("org").get(pk=member_id) if member_id else None


def _progress(user: User, video_ids: list[int]) -> dict[int, WatchProgress]:
    member_id = own_member_id(user)
    if member_id is None:
        return {}
    return {p.video_id: p for p in WatchProgress.objects.filter(member_id=member_id, video_id__in=video_ids)}


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(
        summary="教育片库",
        description="授权范围内发布的教育片，以及指派给调用者本人的教育片；附调用者本人的观看进度。",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="按片名、类别或标签搜索")],
    ),
    retrieve=extend_schema(summary="教育片详情", responses={200: VideoSerializer, **_NOT_FOUND}),
)
class VideoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VideoSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Video]:
        user = _user(self.request)
        reach = Q(pk__in=Video.objects.visible_to(user).values("pk"))
        member = _own_member(user)
        if member is not None:
            reach |= Q(pk__in=[a.video_id for a in video_svc.assignments_for(member)])
        qs = Video.objects.filter(reach).select_related("org")
        q = (self.request.query_params.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(title__contains=q) | Q(category__contains=q) | Q(tags__contains=q))
        return qs.order_by("-created_at", "-pk")

    def get_object(self) -> Video:
        return video_svc.video_for_user(_user(self.request), self.kwargs["pk"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        videos = list(page or [])
        context = {"progress": _progress(_user(request), [v.pk for v in videos])}
        return self.get_paginated_response(VideoSerializer(videos, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        video = self.get_object()
        context = {"progress": _progress(_user(request), [video.pk])}
        return Response(VideoSerializer(video, context=context).data)


class MyAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(label="类型", help_text="required 必看 / optional 选看")
    kind_display = serializers.CharField(label="类型名称")
    due_on = serializers.DateField(label="截止日期")
    org_name = serializers.CharField(label="指派组织")
    video = serializers.IntegerField(label="教育片ID")
    title = serializers.CharField(label="片名")
    duration = serializers.IntegerField(label="时长（秒）")
    progress = ProgressSerializer(allow_null=True, label="我的观看进度")


class MyAssignmentsView(APIView):
    @extend_schema(
        tags=["学习教育"],
        summary="我的必看/选看",
        description="指派给调用者本人的教育片及其观看进度（认定观看达到片长的规定比例即为完成）。"
        "非党员账号返回空列表。",
        responses={200: MyAssignmentSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        member = _own_member(_user(request))
        if member is None:
            return Response([])
        mine = video_svc.assignments_for(member)
        progress = _progress(_user(request), [a.video_id for a in mine])
        rows = [
            {
                "id": a.pk,
                "kind": a.kind,
                "kind_display": a.get_kind_display(),
                "due_on": a.due_on,
                "org_name": a.org.display_name,
                "video": a.video_id,
                "title": a.video.title,
                "duration": a.video.duration,
                "progress": progress_of(progress.get(a.video_id), a.video.duration),
            }
            for a in mine
        ]
        return Response(MyAssignmentSerializer(rows, many=True).data)


# ---------------------------------------------------------------- 学时 account


class AccountLineSerializer(serializers.Serializer):
    day = serializers.DateField(label="日期")
    title = serializers.CharField(label="内容")
    source = serializers.CharField(label="来源")  # type: ignore[assignment]  # Field.source
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, label="学时")


class AccountSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    name = serializers.CharField(label="姓名")
    org_name = serializers.CharField(label="党组织")
    year = serializers.IntegerField(label="年度")
    hours = serializers.DecimalField(max_digits=7, decimal_places=1, label="学时合计")
    from_orglife = serializers.DecimalField(max_digits=7, decimal_places=1, label="其中组织生活学习")
    requirement = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, label="年度要求", help_text="免除（L-07）时为空"
    )
    leader = serializers.BooleanField(label="书记或班子成员（L-02）")
    exemption = serializers.CharField(label="免除原因")
    gap = serializers.DecimalField(max_digits=7, decimal_places=1, label="尚差学时")
    met = serializers.BooleanField(label="已达标")
    lines = AccountLineSerializer(many=True, label="明细")


class MemberHoursView(APIView):
    @extend_schema(
        tags=["学习教育"],
        summary="党员学时账户",
        description="本人，或授权范围内的党员，某年度的学时明细与按职务的要求（RULES §7）。",
        parameters=[_YEAR],
        responses={200: AccountSerializer, 400: OpenApiResponse(description="年度有误"), **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        member = member_for(_user(request), pk)
        year = _year(request)
        (row,) = account_rows(Member.objects.filter(pk=member.pk), year)
        data = {
            "member": member.pk,
            "name": member.name,
            "org_name": member.org.display_name,
            "year": year,
            "hours": row.hours,
            "from_orglife": row.from_orglife,
            "requirement": row.requirement,
            "leader": row.leader,
            "exemption": row.exemption,
            "gap": row.gap,
            "met": row.met,
            "lines": [
                {"day": x.day, "title": x.title, "source": x.source, "hours": x.hours}
                for x in account_lines(member, year)
            ],
        }
        return Response(AccountSerializer(data).data)


# ---------------------------------------------------------------- 集中培训


class TrainingSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="组织单位")
    attendees = serializers.IntegerField(read_only=True, label="参训人数")

    class Meta:
        model = Training
        fields = ["id", "org", "org_name", "name", "organizer", "starts_on", "ends_on", "hours", "attendees"]
        read_only_fields = fields


class TrainingCreateSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="组织单位ID")
    name = serializers.CharField(max_length=120, label="培训名称")
    organizer = serializers.CharField(max_length=80, label="主办方")
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(label="结束日期")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"), label="学时")
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, label="参训党员ID")


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(summary="集中培训列表", parameters=[_YEAR]),
    retrieve=extend_schema(summary="集中培训详情", responses={200: TrainingSerializer, **_NOT_FOUND}),
)
class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TrainingSerializer
    filter_backends: list[Any] = []

    def _all(self) -> QuerySet[Training]:
        return (
            Training.objects.select_related("org")
            .annotate(attendees=Count("entries"))
            .order_by("-starts_on", "-pk")
        )

    def get_queryset(self) -> QuerySet[Training]:
        user = _user(self.request)
        return self._all().filter(
            pk__in=Training.objects.visible_to(user).values("pk"), starts_on__year=_year(self.request)
        )

    def get_object(self) -> Training:
        return get_for_user(self._all(), _user(self.request), self.kwargs["pk"])

    @extend_schema(
        summary="登记集中培训",
        description="与页面调用同一服务：参训党员各计入培训学时。参训党员须在该组织范围内。",
        request=TrainingCreateSerializer,
        responses={201: TrainingSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        require_writer(user)
        given = TrainingCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        org = get_for_user(Organization.objects.all(), user, d["org"], write=True)
        with service_errors():
            training = services.record_training(
                actor=user,
                data=services.TrainingData(
                    org=org,
                    name=d["name"],
                    organizer=d["organizer"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    hours=d["hours"],
                    member_ids=d["members"],
                ),
            )
        return Response(
            TrainingSerializer(self._all().get(pk=training.pk)).data, status=status.HTTP_201_CREATED
        )


# ---------------------------------------------------------------- 必看/选看 assignments (management)


class AssignmentSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="范围")
    video_title = serializers.CharField(source="video.title", read_only=True, label="片名")

    class Meta:
        model = VideoAssignment
        fields = ["id", "video", "video_title", "org", "org_name", "kind", "titles", "candidates", "due_on"]
        read_only_fields = fields


class AssignmentDetailSerializer(AssignmentSerializer):
    due = serializers.IntegerField(read_only=True, label="应看人数")
    done = serializers.IntegerField(read_only=True, label="已完成人数")
    rate = serializers.IntegerField(read_only=True, label="完成率（%）")
    missing = serializers.ListField(
        child=serializers.DictField(), read_only=True, label="未完成党员（前100名）"
    )

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "due", "done", "rate", "missing"]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    video = serializers.IntegerField(label="教育片ID")
    org = serializers.IntegerField(label="范围（组织ID）", help_text="该组织及其下级")
    kind = serializers.ChoiceField(choices=VideoAssignment.Kind.choices, label="类型")
    due_on = serializers.DateField(label="截止日期")
    titles = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, label="限定职务"
    )
    members = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, label="指定党员ID"
    )
    candidates = serializers.BooleanField(required=False, default=False, label="仅发展对象")


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(
        summary="必看/选看指派列表",
        parameters=[OpenApiParameter("video", OpenApiTypes.INT, description="只列该教育片的指派")],
    ),
    retrieve=extend_schema(
        summary="指派详情与完成情况", responses={200: AssignmentDetailSerializer, **_NOT_FOUND}
    ),
)
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssignmentSerializer
    filter_backends: list[Any] = []
    MISSING = 100

    def get_queryset(self) -> QuerySet[VideoAssignment]:
        qs = VideoAssignment.objects.visible_to(_user(self.request)).select_related("video", "org")
        video = self.request.query_params.get("video") or ""
        if video:
            if not video.isdigit() or int(video) > 2**63 - 1:  # beyond a database integer: no such video
                raise serializers.ValidationError({"video": ["教育片ID应为数字"]})
            qs = qs.filter(video_id=int(video))
        return qs.order_by("-due_on", "-pk")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = get_for_user(
            VideoAssignment.objects.select_related("video", "org"), _user(request), self.kwargs["pk"]
        )
        done = video_svc.completion(assignment)
        data = AssignmentSerializer(assignment).data
        data.update(
            due=done.due,
            done=done.done,
            rate=done.rate,
            missing=[
                {"member": m.pk, "name": m.name, "org_name": m.org.display_name}
                for m in done.missing[: self.MISSING]
            ],
        )
        return Response(data)

    @extend_schema(
        summary="指派必看/选看",
        description="与页面调用同一服务；须对教育片和范围组织都有写权限。",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        require_writer(user)
        given = AssignmentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        video = get_for_user(Video.objects.select_related("org"), user, d["video"], write=True)
        org = get_for_user(Organization.objects.all(), user, d["org"], write=True)
        named = list(Member.objects.visible_to(user).filter(pk__in=d["members"]).values_list("pk", flat=True))
        if len(named) != len(set(d["members"])):
            raise serializers.ValidationError({"members": ["指定党员不存在或不在您的授权范围内"]})
        with service_errors():
            assignment = video_svc.assign_video(
                actor=user,
                data=video_svc.AssignmentData(
                    video,
                    org,
                    d["kind"],
                    d["due_on"],
                    d["titles"],
                    member_ids=named,
                    candidates=d["candidates"],
                ),
            )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- 一人一册


class BookSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.display_name", read_only=True, label="发放单位")
    records = serializers.IntegerField(source="record_count", read_only=True, label="学习记录数")

    class Meta:
        model = StudyBook
        fields = ["id", "org", "org_name", "title", "description", "issued_on", "titles", "records"]
        read_only_fields = fields


class BookCreateSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="发放单位ID")
    title = serializers.CharField(max_length=120, label="学习资料")
    issued_on = serializers.DateField(label="发放日期")
    description = serializers.CharField(required=False, allow_blank=True, default="", label="学习要求")
    titles = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        label="限定职务",
        help_text="空：全体党员",
    )


class StudyRecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="姓名")
    checks = serializers.SerializerMethodField(label="抽查结果")

    class Meta:
        model = StudyRecord
        fields = ["id", "book", "member", "member_name", "notes", "notes_updated_at", "checks"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_checks(self, obj: StudyRecord) -> list[dict[str, Any]]:
        return [
            {"id": c.pk, "checked_on": c.checked_on, "result": c.result, "remark": c.remark}
            for c in obj.checks.all()
            if c.withdrawn_at is None
        ]


class CheckCreateSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=StudyCheck.Result.choices, label="抽查结果")
    checked_on = serializers.DateField(label="抽查日期")
    remark = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, label="意见")


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(summary="一人一册学习册列表"),
    retrieve=extend_schema(summary="学习册详情", responses={200: BookSerializer, **_NOT_FOUND}),
)
class BookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BookSerializer
    filter_backends: list[Any] = []

    def _all(self) -> QuerySet[StudyBook]:
        return (
            StudyBook.objects.select_related("org")
            .annotate(record_count=Count("records"))
            .order_by("-issued_on", "-pk")
        )

    def get_queryset(self) -> QuerySet[StudyBook]:
        return self._all().filter(pk__in=StudyBook.objects.visible_to(_user(self.request)).values("pk"))

    def get_object(self) -> StudyBook:
        return get_for_user(self._all(), _user(self.request), self.kwargs["pk"])

    @extend_schema(
        summary="发放学习册",
        description="与页面调用同一服务：为该组织范围内（可按职务限定）的每名党员建立个人学习记录。",
        request=BookCreateSerializer,
        responses={201: BookSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        require_writer(user)
        given = BookCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        org = get_for_user(Organization.objects.all(), user, d["org"], write=True)
        with service_errors():
            book = book_svc.issue_book(
                actor=user,
                data=book_svc.BookData(org, d["title"], d["issued_on"], d["description"], d["titles"]),
            )
        return Response(BookSerializer(self._all().get(pk=book.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="学习册的个人学习记录", responses={200: StudyRecordSerializer(many=True), **_NOT_FOUND}
    )
    @action(detail=True, methods=["get"])
    def records(self, request: Request, pk: int) -> Response:
        book = self.get_object()
        qs = (
            StudyRecord.objects.visible_to(_user(request))
            .filter(book=book)
            .select_related("member")
            .prefetch_related("checks")
            .order_by("member__org__path", "member_id")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(StudyRecordSerializer(page, many=True).data)


class RecordCheckView(APIView):
    @extend_schema(
        tags=["学习教育"],
        summary="登记抽查结果",
        description="与页面调用同一服务；只有发放单位可登记，合格以上按积分目录计分。",
        request=CheckCreateSerializer,
        responses={201: StudyRecordSerializer, **_WRITE},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        record = get_for_user(StudyRecord.objects.select_related("book", "book__org", "member"), user, pk)
        if not covers(user, record.book.org.path, write=True):
            raise PermissionDenied("只有发放单位可以登记抽查结果")
        given = CheckCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        with service_errors():
            book_svc.check_record(
                actor=user, record=record, result=d["result"], checked_on=d["checked_on"], remark=d["remark"]
            )
        return Response(StudyRecordSerializer(record).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- 学时折算标准 (L-06)


class ConversionSerializer(serializers.ModelSerializer):
    changes = serializers.SerializerMethodField(label="与上一版本相比的变化")

    class Meta:
        model = Conversion
        fields = [
            "id",
            "effective_from",
            "hours_per_day",
            "hours_per_half_day",
            "study_hours_per_hour",
            "document",
            "note",
            "changes",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_changes(self, obj: Conversion) -> list[str]:
        changes: dict[int, list[str]] = self.context.get("changes", {})
        return changes.get(obj.pk, [])


def _hours_field(label: str) -> serializers.DecimalField:
    # Not quantized (decimal_places=None): the service checks places, range and order and says so in Chinese,
    # as on the page.
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=None,
        label=label,
        error_messages={
            "invalid": f"{label}应为数字",
            "required": f"请填写{label}",
            "null": f"请填写{label}",
            "max_digits": f"{label}的位数过多",
            "max_whole_digits": f"{label}的位数过多",
        },
    )


class ConversionCreateSerializer(serializers.Serializer):
    effective_from = serializers.DateField(
        label="生效日期",
        help_text="该日（含）起的学习按新标准折算；最早为明天，且晚于最新版本",
        error_messages={
            "invalid": "请输入有效的日期，如 2027-01-01",
            "required": "请填写生效日期",
            "null": "请填写生效日期",
        },
    )
    hours_per_day = _hours_field("全天培训折合学时")
    hours_per_half_day = _hours_field("半天讲座折合学时")
    study_hours_per_hour = _hours_field("集中学习每小时折合学时")
    document = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        label="依据（文件名称及文号）",
        error_messages={"max_length": "依据不能超过200个字"},
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        label="修订说明",
        error_messages={"max_length": "修订说明不能超过2000个字"},
    )


@extend_schema(tags=["学习教育"])
@extend_schema_view(
    list=extend_schema(summary="学时折算标准的各版本", description="全部版本，新版本在前；版本从不修改。"),
    retrieve=extend_schema(summary="折算标准版本详情", responses={200: ConversionSerializer, **_NOT_FOUND}),
)
class ConversionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The county-wide conversion table (RULES L-06), readable by anyone with a role on some subtree (as the
    page); a new version is published by a department admin through the page's service."""

    serializer_class = ConversionSerializer
    filter_backends: list[Any] = []
    queryset = Conversion.objects.order_by("-effective_from")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not has_any_scope(_user(request)):
            raise NotFound("未找到")

    def get_serializer_context(self) -> dict[str, Any]:
        # What each version changed against the one before it: every version is read once (a handful).
        return {
            **super().get_serializer_context(),
            "changes": conversion_svc.version_changes(list(self.get_queryset())),
        }

    @extend_schema(
        summary="某日适用的折算标准",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="YYYY-MM-DD，默认今天")],
        responses={200: ConversionSerializer, 400: OpenApiResponse(description="日期格式错误"), **_NOT_FOUND},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def current(self, request: Request) -> Response:
        raw = request.query_params.get("date") or ""
        try:
            day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise serializers.ValidationError({"date": ["日期格式应为 YYYY-MM-DD"]}) from exc
        found = current_conversion(day)
        if found is None:
            raise NotFound("该日期没有适用的学时折算标准")
        return Response(self.get_serializer(found).data)

    @extend_schema(
        summary="发布新的折算标准版本",
        description="与页面调用同一服务：只有组织部管理员可以发布；生效日期最早为明天且晚于最新版本，"
        "已计入的学时不因新版本而改变。",
        request=ConversionCreateSerializer,
        responses={201: ConversionSerializer, **_WRITE},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        if not conversion_svc.can_configure(user):
            raise PermissionDenied(conversion_svc.REFUSED)
        given = ConversionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        with service_errors():
            version = conversion_svc.publish_conversion(
                actor=user,
                data=conversion_svc.ConversionData.of(d),
            )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("lessons", LessonViewSet, basename="api-learning-lesson")
router.register("videos", VideoViewSet, basename="api-learning-video")
router.register("trainings", TrainingViewSet, basename="api-learning-training")
router.register("assignments", AssignmentViewSet, basename="api-learning-assignment")
router.register("books", BookViewSet, basename="api-learning-book")
router.register("conversions", ConversionViewSet, basename="api-learning-conversion")
urlpatterns = [
    *router.urls,
    path("my/assignments/", MyAssignmentsView.as_view(), name="api-learning-my-assignments"),
    path("records/<int:pk>/check/", RecordCheckView.as_view(), name="api-learning-record-check"),
    path("members/<int:pk>/hours/", MemberHoursView.as_view(), name="api-learning-member-hours"),
]
