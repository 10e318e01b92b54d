"""Every API view of ours derives from the one base (salesops/api/base.py): the same permissions,
numeric ids, pagination and error format everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from salesops.api.base import ScopedAPIView, ScopedViewSet

OUR_APPS = ("salesops.", "meetings.", "territories.", "compensation.", "dashboard.")
# Views that must answer before anyone is logged in, and why.
PUBLIC = {
    "salesops.api.auth.TokenObtainView": "the API's login: DRF's ObtainAuthToken, throttled",
}


def _api_views(patterns: Any, prefix: str = "") -> list[tuple[str, type]]:
    found: list[tuple[str, type]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _api_views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            view = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
            route = prefix + str(p.pattern)
            if (
                view is not None
                and route.startswith("api/")
                and view.__module__.startswith(OUR_APPS)
            ):
                found.append((route, view))
    return found


def test_every_api_view_of_ours_derives_from_the_one_base():
    views = _api_views(get_resolver().url_patterns)
    assert len(views) > 40  # the walk found the routers' routes, not just a few
    strays = sorted(
        f"{route} -> {view.__module__}.{view.__name__}"
        for route, view in views
        if not issubclass(view, (ScopedViewSet, ScopedAPIView))
        and f"{view.__module__}.{view.__name__}" not in PUBLIC
    )
    assert strays == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/abc/",
        "/api/v1/compensation/statements/abc/",
        "/api/v1/territory-models/abc/",
        "/api/v1/deals/abc/",
    ],
)
def test_a_non_numeric_id_is_a_404_everywhere(personas, api_client_for, url):
    assert api_client_for(personas.sales_ops).get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/meetings/", "/api/v1/compensation/statements/", "/api/v1/people/"]
)
def test_every_list_pages_alike(personas, api_client_for, url):
    body = api_client_for(personas.sales_ops).get(url, {"page_size": 1}).json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert len(body["results"]) <= 1
