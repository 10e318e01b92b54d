"""One helper for every table page: a search box, filters in the query string, whitelisted
sortable columns, page-size choices, and a CSV download of the same rows (issue 23).

A view describes its table once with a `Listing` and calls `listing.page(request, qs)` for the
HTML page or `listing.csv(request, qs, filename)` for the download; the template includes
`salesops/_list_controls.html` and `salesops/_list_pager.html` and heads sortable columns with
`{% sort_header listing "key" "Label" %}` (salesops.templatetags.listing).

Sorting is a whitelist: `?sort=<key>` or `?sort=-<key>` for a key in `sorts`; anything else falls
back to the default, so no user input reaches `order_by`. Searching is `icontains` on each word
(salesops.choosers.search_q), which the pg_trgm indexes serve on the big tables.

Lists of Python rows (already aggregated, e.g. team attainment) go through the same API: pass a
list and `sorts` maps each key to a function of the row (None sorts last either way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict

from salesops.choosers import MAX_QUERY, search_q
from salesops.csvsafe import csv_writer

PAGE_SIZES = (25, 50, 100, 200)

Column = tuple[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class Listing:
    sorts: dict[str, Any]
    default_sort: str
    search_fields: Sequence[str] = ()
    columns: Sequence[Column] = ()
    page_sizes: Sequence[int] = PAGE_SIZES
    search_label: str = "Search"

    def sort_of(self, request: HttpRequest) -> tuple[str, bool]:
        raw = request.GET.get("sort", "")
        key = raw.removeprefix("-")
        if key in self.sorts:
            return key, raw.startswith("-")
        return self.default_sort.removeprefix("-"), self.default_sort.startswith("-")

    def page_size_of(self, request: HttpRequest) -> int:
        raw = request.GET.get("per_page", "")
        return int(raw) if raw.isdigit() and int(raw) in self.page_sizes else self.page_sizes[0]

    def rows(self, request: HttpRequest, rows: Any) -> Any:
        """The searched and sorted rows (a queryset or a list), before pagination."""
        text = request.GET.get("q", "").strip()[:MAX_QUERY]
        key, desc = self.sort_of(request)
        order = self.sorts[key]
        if isinstance(rows, QuerySet):
            if text and self.search_fields:
                rows = rows.filter(search_q(text, self.search_fields))
            fields = order if isinstance(order, tuple | list) else (order,)
            exprs = [
                F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True) for f in fields
            ]
            return rows.order_by(*exprs, "pk")
        rows = list(rows)
        if text and self.search_fields:
            words = text.lower().split()
            rows = [
                r
                for r in rows
                if all(any(w in str(_get(r, f)).lower() for f in self.search_fields) for w in words)
            ]
        present = [r for r in rows if order(r) is not None]
        missing = [r for r in rows if order(r) is None]
        return sorted(present, key=order, reverse=desc) + missing

    def page(self, request: HttpRequest, rows: Any) -> ListPage:
        key, desc = self.sort_of(request)
        paginator = Paginator(self.rows(request, rows), self.page_size_of(request))
        page = paginator.get_page(request.GET.get("page"))
        return ListPage(listing=self, page=page, params=request.GET.copy(), sort=key, desc=desc)

    def csv(self, request: HttpRequest, rows: Any, filename: str) -> HttpResponse:
        """Every row the page's filters, search and sort select (not one page), cells
        neutralised against spreadsheet formulas (salesops.csvsafe)."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv_writer(response)
        writer.writerow([header for header, _ in self.columns])
        selected = self.rows(request, rows)
        iterable = (
            selected.iterator(chunk_size=2000) if isinstance(selected, QuerySet) else selected
        )
        for row in iterable:
            writer.writerow(["" if (v := get(row)) is None else v for _, get in self.columns])
        return response

    @staticmethod
    def wants_csv(request: HttpRequest) -> bool:
        return request.GET.get("format") == "csv"


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, "")


@dataclass
class ListPage:
    listing: Listing
    page: Page
    params: QueryDict
    sort: str
    desc: bool
    filters: dict[str, str] = field(default_factory=dict)

    def url(self, **changes: Any) -> str:
        params = self.params.copy()
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return "?" + params.urlencode()

    @property
    def q(self) -> str:
        return self.params.get("q", "")

    @property
    def page_size(self) -> int:
        raw = self.params.get("per_page", "")
        return (
            int(raw)
            if raw.isdigit() and int(raw) in self.listing.page_sizes
            else self.listing.page_sizes[0]
        )

    @property
    def csv_url(self) -> str:
        return self.url(format="csv", page=None)

    def sort_url(self, key: str) -> str:
        desc = not self.desc if key == self.sort else False
        return self.url(sort=f"-{key}" if desc else key, page=None)

    def page_url(self, number: int) -> str:
        return self.url(page=number)

    @property
    def hidden_filters(self) -> list[tuple[str, str]]:
        """Filters to keep when the search box or page size is submitted."""
        own = (
            ("q", "per_page", "page", "format")
            if self.listing.search_fields
            else ("per_page", "page", "format")
        )
        return [(k, v) for k, values in self.params.lists() for v in values if k not in own]
