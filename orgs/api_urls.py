"""Organizations, members and posts under /api/v1/."""

from rest_framework.routers import SimpleRouter

from orgs.api import MemberViewSet, OrganizationViewSet, PositionViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("members", MemberViewSet, basename="api-member")
router.register("positions", PositionViewSet, basename="api-position")

urlpatterns = router.urls
