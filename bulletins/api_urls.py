"""信息报送 under /api/v1/bulletins/."""

from rest_framework.routers import SimpleRouter

from bulletins.api.views import ArticleViewSet, IssueViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="api-bulletins-article")
router.register("issues", IssueViewSet, basename="api-bulletins-issue")

urlpatterns = router.urls
