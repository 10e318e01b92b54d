"""Server side of the searchable choosers (salesops.widgets): GET ?q=… returns at most
CHOOSER_LIMIT rows the caller may see, as {"results": [{"value", "text"}], "more"}.

Searches use icontains (UPPER(col) LIKE '%…%'), which the pg_trgm GIN indexes on person and
account names and deal ids serve (migration salesops 0016); tests/salesops/test_choosers.py
checks with EXPLAIN that no search reads the deals table sequentially.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, JsonResponse

CHOOSER_LIMIT = 20
MAX_QUERY = 100


def query_text(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY]


def search_q(text: str, fields: Iterable[str]) -> Q:
    """Every word of `text` must match one of `fields` (icontains)."""
    q = Q()
    for word in text.split():
        word_q = Q()
        for field in fields:
            word_q |= Q(**{f"{field}__icontains": word})
        q &= word_q
    return q


def rows(
    qs: QuerySet[Any], label: Callable[[Any], str], limit: int = CHOOSER_LIMIT
) -> JsonResponse:
    found = list(qs[: limit + 1])
    results = [{"value": obj.pk, "text": label(obj)} for obj in found[:limit]]
    return JsonResponse({"results": results, "more": len(found) > limit})


def respond(results: Sequence[Model], label: Callable[[Any], str], more: bool) -> JsonResponse:
    return JsonResponse(
        {"results": [{"value": obj.pk, "text": label(obj)} for obj in results], "more": more}
    )
