"""发展党员名额: the 组织部 allocates a node's annual plan from the by-node overview (one POST per node)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from development.services import quotas
from orgs.access import get_for_user
from orgs.models import Organization


def _int(value: str, label: str) -> int:
    try:
        return int(value.strip())
    except (AttributeError, ValueError):
        raise ValidationError({"planned": [f"{label}应为整数"]}) from None


@login_required
@require_POST
def quota_set(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(Organization.objects.all(), request.user, pk)
    if not quotas.can_allocate(request.user, org):
        raise PermissionDenied("发展党员名额由组织部分配")
    back = redirect(f"{_overview()}?org={org.parent_id}" if org.parent_id else _overview())
    try:
        quota = quotas.set_quota(
            actor=cast(User, request.user),
            org=org,
            year=_int(request.POST.get("year", str(timezone.localdate().year)), "年度"),
            planned=_int(request.POST.get("planned", ""), "计划名额"),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return back
    messages.success(request, f"已分配{org.display_name}{quota.year}年发展党员名额{quota.planned}名")
    return back


def _overview() -> str:
    return reverse("development:overview")


urlpatterns = [path("quota/<int:pk>/", quota_set, name="quota_set")]
