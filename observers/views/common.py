"""What every observers page shares: the acting user and a page of a list."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from accounts.models import User


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page
