"""REST API of the ground floor under /api/v1/: organizations and members (`members`), posts (`positions`).

Serializers validate the shape of input and render masked output; they never save and never decrypt.
Views are thin: scope the queryset, fetch through orgs.access.get_for_user, call orgs.services.
"""

from orgs.api.members import MemberSerializer, MemberViewSet, OrganizationSerializer, OrganizationViewSet
from orgs.api.positions import PositionSerializer, PositionViewSet

__all__ = [
    "MemberSerializer",
    "MemberViewSet",
    "OrganizationSerializer",
    "OrganizationViewSet",
    "PositionSerializer",
    "PositionViewSet",
]
