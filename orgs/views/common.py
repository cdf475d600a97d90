"""What every page of the tree shares: the acting user and the paginator."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from orgs.access import Actor


def user_of(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)  # every page here is behind login_required


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    elided = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    page.elided_range = list(elided)  # type: ignore[attr-defined]
    return page
