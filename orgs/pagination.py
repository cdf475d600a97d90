"""A paginator that answers a short list without a COUNT query.

Asked for the first page, it reads one row more than a page; when the rows fit on one page their number is
the count, so a list shorter than a page costs one query instead of two (COUNT, then the page). Other pages,
and first pages of longer lists, count as Django's Paginator does.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


class ShortListPaginator(Paginator):
    _first: list[Any] | None = None

    def get_page(self, number: Any) -> Page:
        if number in (None, "", "1", 1):
            self._first = list(self.object_list[: self.per_page + 1])
            if len(self._first) <= self.per_page:
                self.__dict__["count"] = len(self._first)  # Paginator.count is a cached_property
                return self._get_page(self._first, 1, self)  # type: ignore[attr-defined]
        return super().get_page(number)


def paginate(items: Any, per_page: int, number: Any) -> Page:
    """The requested page of `items` (Django's get_page rules), with the elided page range for the template."""
    page = ShortListPaginator(items, per_page).get_page(number)
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page
