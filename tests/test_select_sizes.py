"""Issue 23, "done when": no <select> on any page has more than MAX_OPTIONS options, for every demo
login, on the small demo grown past the limit (more people, accounts, deals, teams, plans and
territories — parents with children too — than any select may list). Choosers render only their selected options and search the server instead
(salesops.widgets). Reuses the every-page crawl (tests/test_every_page.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from compensation.models import CommissionPlan
from salesops.models import Account, Deal, Person, Product, Role, Team
from territories.models import Territory, TerritoryModel
from territories.services.tree import paths_fill
from tests import test_every_page as every_page

MAX_OPTIONS = 200
FORMS = ("rules", "pins", "balance")  # territory pages with a territory or account chooser
EXTRA = MAX_OPTIONS + 50
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
NAME = re.compile(r'name="([^"]*)"')


def select_problems(body: str) -> list[str]:
    problems = []
    for attrs, inner in SELECT.findall(body):
        count = len(re.findall(r"<option\b", inner, re.I))
        if count > MAX_OPTIONS:
            name = NAME.search(attrs)
            problems.append(f"<select {name.group(1) if name else '?'}> has {count} options")
    return problems


def test_the_check_counts_options_per_select() -> None:
    many = "".join(f"<option value={i}>x</option>" for i in range(MAX_OPTIONS + 1))
    few = "<option>a</option>" * 3
    body = f'<select name="big">{many}</select><select name="small">{few}</select>'
    assert select_problems(body) == [f"<select big> has {MAX_OPTIONS + 1} options"]


@pytest.fixture(scope="module")
def grown_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "small", verbosity=0)
        team = Team.objects.order_by("pk").first()
        people = Person.objects.bulk_create(
            [
                Person(name=f"Extra Person {i:03d}", role=Role.SDR, team=team, time_zone="UTC")
                for i in range(EXTRA)
            ]
        )
        accounts = Account.objects.bulk_create(
            [Account(name=f"Extra Account {i:03d}") for i in range(EXTRA)]
        )
        product = Product.objects.order_by("pk").first()
        Deal.objects.bulk_create(
            [
                Deal(
                    external_id=f"EXTRA-{i:04d}",
                    account=accounts[i],
                    product=product,
                    owner=people[i],
                    amount=Decimal("1000.00"),
                )
                for i in range(EXTRA)
            ]
        )
        Team.objects.bulk_create(
            [Team(name=f"Extra Team {i:03d}", parent=team) for i in range(EXTRA)]
        )
        CommissionPlan.objects.bulk_create(
            [CommissionPlan(name=f"Extra Plan {i:03d}") for i in range(EXTRA)]
        )
        for model in TerritoryModel.objects.all():
            parents = Territory.objects.bulk_create(
                [Territory(model=model, name=f"Extra Region {i:03d}") for i in range(EXTRA)]
            )
            Territory.objects.bulk_create(
                [
                    Territory(model=model, parent=p, name=f"Extra Area {p.name[-3:]}")
                    for p in parents
                ]
            )
            paths_fill(model_id=model.pk)
        yield
        transaction.set_rollback(True)


def _form_pages() -> list[str]:
    """Pages with forms over big tables that the crawl might reach late or only through forms."""
    urls = [
        "/meetings/new/",
        "/deals/",
        "/people/",
        "/accounts/",
        "/settings/time-zone/",
        "/compensation/ops/",
        "/compensation/statements/",
    ]
    for pk in TerritoryModel.objects.values_list("pk", flat=True):
        base = f"/territories/models/{pk}/"
        urls += [base, f"{base}rules/", f"{base}pins/", f"{base}balance/", f"{base}assign/"]
    return urls


@pytest.mark.parametrize("username", every_page.DEMO_LOGINS)
def test_no_select_on_any_page_lists_more_than_200_options(
    grown_demo: None, db: None, settings: Any, username: str
) -> None:
    settings.DEBUG = True
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    crawl = every_page.Crawl(persona=username)
    for url in _form_pages():
        crawl.enqueue(url, 1, any_shape=True)
    found: list[str] = []
    while crawl.queue and len(crawl.visited) < every_page.MAX_URLS:
        url, depth = crawl.queue.popleft()
        response, _ = every_page._get(client, url)
        crawl.visited[url] = 500 if response is None else response.status_code
        if response is None or response.status_code != 200:
            continue
        if response.streaming:  # a streamed download (a CSV): no <select> in it
            continue
        every_page._response_problems(crawl, response, url, depth)  # follows its links
        if response.get("Content-Type", "").startswith("text/html"):
            for problem in select_problems(response.content.decode()):
                found.append(f"{url}: {problem}")
    assert crawl.kinds["text/html"] > 5
    assert crawl.visited.get("/deals/") == 200 and crawl.visited.get("/people/") == 200
    if username != "admin":  # the admin has no Person: no meetings of their own to book
        assert crawl.visited.get("/meetings/new/") == 200
    if username in ("admin", "ops"):  # the pages where sales ops choose teams, plans, territories
        model = TerritoryModel.objects.filter(state="active").values_list("pk", flat=True)[0]
        for url in ("/compensation/ops/", *(f"/territories/models/{model}/{p}/" for p in FORMS)):
            assert crawl.visited.get(url) == 200, url
    assert not found, "\n".join(found)
    if username in ("admin", "ops", "manager"):  # the team filter is searched, not listed
        assert crawl.visited.get("/dashboard/") == 200
