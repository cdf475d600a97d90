"""Shared helpers of the points pages: who may see them, the organization in focus, paging."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from orgs.access import get_for_user, has_any_scope, holds, own_member_id
from orgs.models import Member, Organization


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view is behind login_required


def require_points_user(request: HttpRequest) -> None:
    """Points pages exist for staff with a tree scope and for members with their own file."""
    if not (has_any_scope(request.user) or own_member_id(request.user)):
        raise Http404("未找到页面")


def require_staff(request: HttpRequest) -> None:
    if not has_any_scope(request.user):
        raise Http404("未找到页面")


def require_role(request: HttpRequest, roles: frozenset[str], message: str) -> None:
    """Staff pages that write: a reader without the role gets 403 (an outsider to everything 404)."""
    require_staff(request)
    if not holds(request.user, roles):
        raise PermissionDenied(message)


def focus_org(request: HttpRequest) -> Organization | None:
    """The organization named by ?org= inside the user's scope (404 outside), or None for all."""
    raw = request.GET.get("org") or ""
    if not raw:
        return None
    return get_for_user(Organization.objects.all(), request.user, raw)


def members_in_scope(request: HttpRequest, org: Organization | None) -> QuerySet[Member]:
    qs = Member.objects.visible_to(user_of(request)).active()
    return qs.under(org) if org is not None else qs


def top_org(request: HttpRequest, org: Organization | None) -> Organization | None:
    """The organization whose catalogue sets the thresholds of a scoped list."""
    if org is not None:
        return org
    return Organization.objects.visible_to(user_of(request)).order_by("depth", "path").first()


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page
