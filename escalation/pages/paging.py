"""Paging a list page: links that keep the page's other query parameters, and what the GOV.UK
pagination component (templates/escalation/_pagination.html) needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator over rows the page has counted already: it does not count them again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def query_with(params: QueryDict, **changes: Any) -> str:
    """The query string with some parameters changed (None removes one)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    href: str = ""
    current: bool = False


def page_links(page: Page[Any], params: QueryDict) -> list[PageLink]:
    """The GOV.UK pagination items: first, last, and the pages next to the current one."""
    count = page.paginator.num_pages
    wanted = {1, count, page.number - 1, page.number, page.number + 1}
    links: list[PageLink] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= count):
        if number - previous > 1:
            links.append(PageLink(number=None))
        links.append(
            PageLink(
                number=number, href=query_with(params, page=number), current=number == page.number
            )
        )
        previous = number
    return links


def pagination(page: Page[Any] | None, params: QueryDict) -> dict[str, Any]:
    """The template context of the pagination component (nothing to show without a page)."""
    if page is None:
        return {"page": None, "page_links": [], "previous_href": "", "next_href": ""}
    return {
        "page": page,
        "page_links": page_links(page, params),
        "previous_href": query_with(params, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_href": query_with(params, page=page.next_page_number()) if page.has_next() else "",
    }
