"""The points ledger under /api/v1/points/."""

from rest_framework.routers import SimpleRouter

from points.api import DeclarationViewSet, EntryViewSet, NoticeViewSet, RankingViewSet, RuleViewSet

router = SimpleRouter()
router.register("rules", RuleViewSet, basename="api-points-rule")
router.register("declarations", DeclarationViewSet, basename="api-points-declaration")
router.register("entries", EntryViewSet, basename="api-points-entry")
router.register("ranking", RankingViewSet, basename="api-points-ranking")
router.register("notices", NoticeViewSet, basename="api-points-notice")

urlpatterns = router.urls
