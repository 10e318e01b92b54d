"""Permission refusals are 403 (or 404 outside the caller's scope), never a 400, and the API and
the pages agree (issue 20: "25 permission refusals come back as 400"; "the imports API gives 403
where its page gives 404"). One row per refusal: who, what, and the status it must get."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compensation.models import Quota
from salesops.models import ImportRun

pytestmark = pytest.mark.django_db


def _csv():
    return SimpleUploadedFile("products.csv", b"product,series,sales_price\nX,Y,1\n")


def _quota_for_person(p):
    return (
        "api",
        "post",
        "/api/v1/compensation/quotas/",
        {"person": p.person("rep_b1").pk, "period": "FY2027", "amount": "1000"},
    )


def _quota_for_team(p):
    return (
        "api",
        "post",
        "/api/v1/compensation/quotas/",
        {"team": p.team_b.pk, "period": "FY2027", "amount": "1000"},
    )


def _import_api(p):
    return ("api", "post", "/api/v1/imports/", {"products": _csv()})


def _import_page(p):
    return ("page", "post", "/admin/salesops/importrun/upload/", {"products": _csv()})


def _import_status_page(p):
    run = ImportRun.objects.create(origin="test")
    return ("page", "get", f"/admin/salesops/importrun/upload/{run.pk}/", None)


def _import_status_api(p):
    run = ImportRun.objects.create(origin="test")
    return ("api", "get", f"/api/v1/imports/{run.pk}/", None)


# Pages of the admin send users who may not use the admin to its login (302), before any view.
CASES = [
    ("manager_a", _quota_for_person, 403),  # setting quotas is sales ops' (not a 400)
    ("manager_a", _quota_for_team, 403),
    ("rep_a1", _quota_for_person, 403),
    ("manager_a", _import_api, 404),  # imports: 404 on the API as on the pages
    ("rep_a1", _import_api, 404),
    ("manager_a", _import_status_api, 404),
    ("manager_a", _import_page, 302),
    ("manager_a", _import_status_page, 302),
]


@pytest.mark.parametrize(
    ("persona", "case", "expected"), CASES, ids=[f"{p}-{c.__name__}" for p, c, _ in CASES]
)
def test_refusals_are_403_or_404_never_400(
    persona, case, expected, personas, api_client_for, client
):
    user = getattr(personas, persona)
    kind, method, url, data = case(personas)
    if kind == "api":
        caller = api_client_for(user)
        response = getattr(caller, method)(url, data, format="multipart" if data else None)
    else:
        client.force_login(user)
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == expected, response.content[:300]
    assert not Quota.objects.exists()
    assert ImportRun.objects.filter(origin__in=["api", "admin"]).count() == 0
