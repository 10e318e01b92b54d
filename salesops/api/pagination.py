"""Page-number pagination whose total is the planner's estimate once it is large.

An exact COUNT(*) over a million visible deals took 1.8 s on every page of GET /api/v1/deals/
(docs/benchmarks.md). Above EXACT_COUNT_LIMIT rows (by PostgreSQL's own estimate of the filtered
query, from EXPLAIN: no rows read) the response gives that estimate and says so with
`count_estimated: true`; below it the count is exact, as before (a count that stops after the
limit + 1 rows tells which case it is). With an estimate, `next` is
given exactly when the page is full, so a client walking the pages neither stops early on a low
estimate nor runs past the end on a high one.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from psycopg2 import sql
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from salesops.api.base import CorePagination

EXACT_COUNT_LIMIT = 10_000


def planner_estimate(queryset: Any) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns (None when it cannot be asked)."""
    query = getattr(queryset, "query", None)
    if query is None:
        return None
    text, params = query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(sql.SQL(text)), params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):  # type: ignore[type-arg]
    estimated = False

    @cached_property
    def count(self) -> int:
        # A count that stops after EXACT_COUNT_LIMIT + 1 rows (one query, as a plain count):
        # exact below the limit; above it the planner's estimate (a second, row-free query).
        object_list = self.object_list
        if not hasattr(object_list, "query"):
            return super().count
        # Without the list's ORDER BY: how many of the first limit + 1 rows exist does not depend
        # on their order, and sorting a million deals to count 10,001 of them was most of it.
        capped = object_list.order_by()[: EXACT_COUNT_LIMIT + 1].count()  # type: ignore[attr-defined]
        if capped <= EXACT_COUNT_LIMIT:
            return int(capped)
        estimate = planner_estimate(object_list)
        self.estimated = True
        return max(estimate or 0, capped)

    def validate_number(self, number: Any) -> int:
        if not (self.count and self.estimated):
            return super().validate_number(number)
        # Past the estimate is not "no such page": the estimate may be short of the total.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            value = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if value < 1:
            raise EmptyPage("That page number is less than 1")
        return value

    def page(self, number: Any) -> Any:
        if not (self.count and self.estimated):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        if number > 1 and not len(rows):
            raise EmptyPage("That page contains no results")
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]


class EstimatedCountPagination(CorePagination):
    django_paginator_class = EstimatedCountPaginator

    def _estimated(self) -> bool:
        return self.page is not None and bool(getattr(self.page.paginator, "estimated", False))

    def get_next_link(self) -> str | None:
        page, request = self.page, self.request
        full = page is not None and request is not None and len(page) == self.get_page_size(request)
        if self._estimated() and page is not None and request is not None:
            # The estimate may be off either way: a full page has a next, a short one is the last.
            if not full:
                return None
            url = request.build_absolute_uri()
            return replace_query_param(url, self.page_query_param, page.number + 1)
        return super().get_next_link()

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self._estimated()
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "True when `count` is the database's estimate (over "
            f"{EXACT_COUNT_LIMIT:,} rows), not an exact count.",
        }
        return result
