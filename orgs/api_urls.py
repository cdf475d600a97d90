"""Organizations and members under /api/v1/."""

from rest_framework.routers import SimpleRouter

from orgs.api import MemberViewSet, OrganizationViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = router.urls
