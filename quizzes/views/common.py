"""Shared helpers of the quiz pages: who may see them, paging."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from orgs.access import has_any_scope, holds, own_member_id, scope_q
from orgs.models import Organization
from quizzes.models import Category
from quizzes.roles import BANK_ROLES

SHOWN = 300


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view is behind login_required


def require_staff(request: HttpRequest) -> None:
    if not has_any_scope(request.user):
        raise Http404("未找到页面")


def require_bank(request: HttpRequest) -> None:
    """Pages that write the bank: readers get 403, users without any tree role 404."""
    require_staff(request)
    if not holds(request.user, BANK_ROLES):
        raise PermissionDenied("只有组织部、党(工)委管理员和编辑可以维护题库和答题活动")


def require_member(request: HttpRequest) -> int:
    member_id = own_member_id(request.user)
    if not member_id:
        raise Http404("未找到页面")
    return member_id


def writable_categories(request: HttpRequest) -> QuerySet[Category]:
    return Category.objects.visible_to(request.user, write=True).select_related(
        "org", "parent", "parent__parent"
    )


def bank_orgs(request: HttpRequest) -> QuerySet[Organization]:
    """Nodes where the user may keep a bank or run a campaign (not 党小组)."""
    q = scope_q(request.user, "path", wanted=BANK_ROLES)
    qs = Organization.objects.exclude(kind="group")
    return (qs if q is None else qs.filter(q)).order_by("path")


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page
