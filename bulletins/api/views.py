"""REST API of 信息报送 under /api/v1/bulletins/ (for the mobile client): the same scoping, fetches and
services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from bulletins import selectors
from bulletins.models import Article, Issue, IssueEntry
from bulletins.services import articles as services
from bulletins.services import issues as issue_services
from orgs.access import get_for_user, require_tree
from orgs.api_errors import service_errors
from orgs.models import Organization


def _u(request: Request) -> User:
    return cast(User, request.user)


class BulletinArticleSerializer(serializers.ModelSerializer[Article]):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    adoption_display = serializers.CharField(source="get_adoption_display", read_only=True)
    # Blank until the article is adopted: the schema must say so (the API fuzzing checks responses against it).
    adoption = serializers.ChoiceField(choices=Article.Adoption.choices, allow_blank=True, read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "org",
            "org_name",
            "byline",
            "author_name",
            "title",
            "body",
            "category",
            "record",
            "state",
            "state_display",
            "adoption",
            "adoption_display",
            "return_reason",
            "submissions",
            "submitted_at",
            "adopted_at",
        ]
        read_only_fields = fields


class BulletinArticleWriteSerializer(serializers.Serializer[Any]):
    org = serializers.IntegerField(help_text="报送单位ID")
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(
        max_length=200_000, help_text="HTML（只保留段落、小标题、加粗）或纯文本（每行一段）"
    )
    byline = serializers.CharField(max_length=60)
    author_name = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    category = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    record = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="相关组织生活纪实ID（本单位或下级已审核的纪实）",
    )
    submit = serializers.BooleanField(required=False, default=False, help_text="保存后立即报送")


class BulletinReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class BulletinAdoptSerializer(serializers.Serializer[Any]):
    adoption = serializers.ChoiceField(choices=Article.Adoption.choices)


_Q = OpenApiParameter("q", OpenApiTypes.STR, description="标题、单位或正文关键词")
_STATE = OpenApiParameter("state", OpenApiTypes.STR, enum=Article.State.values, description="状态")


@extend_schema_view(
    list=extend_schema(summary="信息稿件", parameters=[_Q, _STATE]),
    retrieve=extend_schema(summary="一篇稿件"),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    serializer_class = BulletinArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        user = _u(self.request)
        require_tree(user)
        params = self.request.query_params
        return selectors.article_list(user, q=params.get("q", "")[:50], state=params.get("state", ""))

    def get_object(self) -> Article:
        return self._fetch(self.kwargs["pk"])

    def _fetch(self, pk: str, *, write: bool = False) -> Article:
        user = _u(self.request)
        article = get_for_user(Article.objects.select_related("org"), user, pk, write=write)
        if article.state == Article.State.DRAFT and article.author_id != user.pk:
            get_for_user(Article.objects.none(), user, pk)  # a draft is its author's alone: 404
        return article

    @extend_schema(
        summary="新建稿件（草稿，可同时报送）",
        request=BulletinArticleWriteSerializer,
        responses={201: BulletinArticleSerializer},
    )
    def create(self, request: Request) -> Response:
        user = _u(request)
        require_tree(user)
        s = BulletinArticleWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        submit = data.pop("submit")
        org = get_for_user(Organization.objects.all(), user, data.pop("org"))
        record_id = data.pop("record")
        record = None
        if record_id is not None:
            record = services.linkable_records(org).filter(pk=record_id).first()
            if record is None:
                raise DRFValidationError({"record": ["只能关联本单位或下级党组织已审核的组织生活纪实"]})
        with service_errors():
            article = services.save_draft(actor=user, org=org, record=record, **data)
            if submit:
                article = services.submit_article(actor=user, article=article)
        return Response(BulletinArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="报送（或退回后再次报送）", request=None, responses=BulletinArticleSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        article = self._fetch(pk, write=True)
        with service_errors():
            article = services.submit_article(actor=_u(request), article=article)
        return Response(BulletinArticleSerializer(article).data)

    @extend_schema(
        summary="退回（附退回意见）", request=BulletinReasonSerializer, responses=BulletinArticleSerializer
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_article(self, request: Request, pk: str) -> Response:
        article = self._fetch(pk, write=True)
        s = BulletinReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            article = services.return_article(
                actor=_u(request), article=article, reason=s.validated_data["reason"]
            )
        return Response(BulletinArticleSerializer(article).data)

    @extend_schema(
        summary="采用（全文/简讯综合/推荐上级）",
        request=BulletinAdoptSerializer,
        responses=BulletinArticleSerializer,
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str) -> Response:
        article = self._fetch(pk, write=True)
        s = BulletinAdoptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            article = services.adopt_article(
                actor=_u(request), article=article, adoption=s.validated_data["adoption"]
            )
        return Response(BulletinArticleSerializer(article).data)


class BulletinEntrySerializer(serializers.ModelSerializer[IssueEntry]):
    title = serializers.CharField(source="article.title", read_only=True)
    byline = serializers.CharField(source="article.byline", read_only=True)

    class Meta:
        model = IssueEntry
        fields = ["article", "section", "position", "title", "byline"]
        read_only_fields = fields


class BulletinIssueSerializer(serializers.ModelSerializer[Issue]):
    journal_name = serializers.CharField(source="journal.name", read_only=True)
    entries = BulletinEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "journal",
            "journal_name",
            "year",
            "number",
            "issue_date",
            "status",
            "leader_box",
            "notice",
            "published_at",
            "entries",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="期刊", parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度")]
    ),
    retrieve=extend_schema(summary="一期（含目录）"),
)
class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    serializer_class = BulletinIssueSerializer

    def get_queryset(self) -> QuerySet[Issue]:
        if getattr(self, "swagger_fake_view", False):
            return Issue.objects.none()
        user = _u(self.request)
        require_tree(user)
        qs = Issue.objects.visible_to(user).select_related("journal").prefetch_related("entries__article")
        year = self.request.query_params.get("year", "")
        return qs.filter(year=int(year)) if year.isdigit() and len(year) == 4 else qs

    def get_object(self) -> Issue:
        return get_for_user(
            Issue.objects.select_related("journal__org").prefetch_related("entries__article"),
            _u(self.request),
            self.kwargs["pk"],
        )

    @extend_schema(summary="印发（按年度顺序编排期号）", request=None, responses=BulletinIssueSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        issue = get_for_user(Issue.objects.select_related("journal__org"), _u(request), pk, write=True)
        with service_errors():
            issue = issue_services.publish_issue(actor=_u(request), issue=issue)
        return Response(
            BulletinIssueSerializer(Issue.objects.prefetch_related("entries__article").get(pk=issue.pk)).data
        )
