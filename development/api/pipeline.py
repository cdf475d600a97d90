"""people/ (list with the pipeline filter, detail with the timeline and the deadlines, create = register an
application, step = any step of the file with the page's form fields), dues/ (the 到期提醒 list).
Personal data is masked; the full numbers are never served."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from accounts.models import User
from development.filters import PersonFilter
from development.models import Person, Step
from development.selectors import deadlines
from development.services import pipeline as svc
from development.services.common import APPROVER_ROLES
from development.views.steps import STEPS, form_for
from orgs.access import covers, get_for_user, holds
from orgs.api_errors import service_errors
from orgs.models import Organization


def _user(request: Request) -> User:
    return cast(User, request.user)


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["on", "action", "note", "backdate_reason", "created_at"]
        read_only_fields = fields


class DueSerializer(serializers.Serializer):
    title = serializers.CharField(source="label", label="事项")
    rule = serializers.CharField(label="规则")
    due_on = serializers.DateField(label="期限")
    hard = serializers.BooleanField(label="硬性期限")


class PersonSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True, label="党支部")
    stage_display = serializers.CharField(source="get_stage_display", read_only=True, label="阶段名称")

    class Meta:
        model = Person
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "gender",
            "birth_date",
            "id_number_masked",
            "phone_masked",
            "stage",
            "stage_display",
            "applied_on",
            "talked_on",
            "activist_on",
            "candidate_on",
            "resolution_on",
            "approved_on",
            "probation_ends_on",
            "full_member_on",
            "ended_on",
            "member",
        ]
        read_only_fields = fields


class PersonDetailSerializer(PersonSerializer):
    steps = StepSerializer(many=True, read_only=True)
    dues = serializers.SerializerMethodField(label="期限")
    next_steps = serializers.SerializerMethodField(label="下一步")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "steps", "dues", "next_steps"]
        read_only_fields = fields

    def get_dues(self, obj: Person) -> list[dict[str, Any]]:
        last = obj.assessments.order_by("-held_on").values_list("held_on", flat=True).first()
        return [DueSerializer(d).data for d in deadlines.dues_of(obj, last)]

    def get_next_steps(self, obj: Person) -> list[str]:
        return deadlines.next_steps(obj)


class ApplicationSerializer(serializers.Serializer):
    org = serializers.IntegerField(label="党支部ID")
    name = serializers.CharField(max_length=40, label="姓名")
    id_number = serializers.CharField(max_length=18, label="公民身份号码")
    phone = serializers.CharField(max_length=12, required=False, default="", label="联系电话")
    applied_on = serializers.DateField(label="递交入党申请书日期")
    is_league_member = serializers.BooleanField(required=False, default=False, label="共青团员")
    backdate_reason = serializers.CharField(max_length=200, required=False, default="", label="补录原因")


class StepRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(STEPS), label="步骤")
    values = serializers.DictField(label="表单字段（与页面表单字段同名）", required=False, default=dict)


_ERRORS = {
    400: OpenApiResponse(description="输入或规则校验未通过"),
    403: OpenApiResponse(description="无权办理"),
    404: OpenApiResponse(description="未找到"),
}


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.visible_to(self.request.user).select_related("org").order_by("org__path", "id")

    def get_serializer_class(self) -> Any:
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    def get_object(self) -> Person:
        return get_for_user(self.get_queryset(), self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="登记入党申请",
        request=ApplicationSerializer,
        responses={201: PersonDetailSerializer, **_ERRORS},
    )
    def create(self, request: Request) -> Response:
        given = ApplicationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        org = get_for_user(Organization.objects.all(), request.user, data.pop("org"), write=True)
        with service_errors():
            person, _ = svc.register_application(actor=_user(request), org=org, **data)
        return Response(PersonDetailSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="办理一个发展步骤",
        request=StepRequestSerializer,
        responses={200: PersonDetailSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def step(self, request: Request, pk: Any = None) -> Response:
        person = self.get_object()
        approver = holds(request.user, APPROVER_ROLES, person.org.path)
        if not covers(request.user, person.org.path, write=True) and not approver:
            raise PermissionDenied("您对该对象只有查看权限")
        given = StepRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        spec = STEPS[given.validated_data["step"]]
        if spec.approver and not approver:
            raise PermissionDenied("审批须由上级党(工)委办理")
        slug = given.validated_data["step"]
        form = form_for(slug, person, {f"{slug}-{k}": v for k, v in given.validated_data["values"].items()})
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        with service_errors():
            spec.call(_user(request), person, dict(form.cleaned_data))
        return Response(PersonDetailSerializer(self.get_queryset().get(pk=person.pk)).data)


class DueRowSerializer(DueSerializer):
    person = serializers.IntegerField(label="档案ID")
    name = serializers.CharField(label="姓名")
    org_name = serializers.CharField(label="党支部")
    overdue_days = serializers.IntegerField(label="逾期天数")


class DueListView(APIView):
    @extend_schema(summary="到期提醒（30天内到期及逾期）", responses={200: DueRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        qs = PersonFilter(request.query_params, queryset=Person.objects.visible_to(request.user)).qs
        rows = deadlines.due_rows(qs, today=today, within_days=30)
        return Response(
            [
                {
                    "person": p.pk,
                    "name": p.name,
                    "org_name": p.org.name,
                    "title": d.label,
                    "rule": d.rule,
                    "due_on": d.due_on,
                    "hard": d.hard,
                    "overdue_days": d.overdue_days(today),
                }
                for p, d in rows[:1000]
            ]
        )


router = SimpleRouter()
router.register("people", PersonViewSet, basename="api-development-person")
