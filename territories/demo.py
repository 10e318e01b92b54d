"""Demo data of the territories app, called by `manage.py seed_demo` after the core data exists.

An active model (regions → countries → size segments or sectors) built from the countries the
accounts actually have, its rules, coverage for the demo reps (`rep` and `manager`'s team first),
and a planning copy with a few changes. Territories and rules are few (tens); accounts are touched
only by the set-based engine, so the large scale (50,000 accounts) stays fast.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Min

from salesops import calendar
from salesops.models import REP_ROLES, Account, Deal, Person
from territories.models import CoverageRole, PinKind, Territory, TerritoryModel, TerritoryType
from territories.services import (
    coverage_assign,
    pin_set,
    rule_create,
    territory_assignments_run,
    territory_create,
    territory_model_activate,
    territory_model_clone,
    territory_model_create,
)

DEMO_NAME = "Sales territories (demo)"
PLAN_NAME = "Next fiscal year (plan)"
REGIONS = {
    "EMEA": set(
        [
            "AT",
            "BE",
            "CH",
            "CZ",
            "DE",
            "DK",
            "ES",
            "FI",
            "FR",
            "GB",
            "IE",
            "IT",
            "LU",
            "NL",
            "NO",
            "PL",
            "PT",
            "SE",
            "AE",
            "SA",
            "ZA",
            "IL",
            "TR",
            "HU",
            "RO",
            "GR",
            "EG",
            "NG",
            "KE",
        ]
    ),
    "Americas": set(["US", "CA", "MX", "BR", "AR", "CL", "CO", "PE"]),
    "APAC": set(
        ["AU", "NZ", "JP", "CN", "IN", "SG", "HK", "KR", "TW", "TH", "ID", "PH", "MY", "VN"]
    ),
}
MAX_COUNTRIES = 30


def _region_of(country: str) -> str:
    for region, members in REGIONS.items():
        if country in members:
            return region
    return "Rest of world"


def _demo_people(rng: random.Random) -> list[Person]:
    """Reps to cover territories: the demo `rep`, then `manager`'s team, then others."""
    reps = Person.objects.filter(active=True, role__in=list(REP_ROLES))
    first = list(reps.filter(user__username="rep"))
    team = list(
        reps.filter(team__manager__user__username="manager")
        .exclude(pk__in=[p.pk for p in first])
        .order_by("pk")
    )
    rest = list(reps.exclude(pk__in=[p.pk for p in first + team]).order_by("pk")[:500])
    rng.shuffle(rest)
    return first + team + rest


@transaction.atomic
def seed_demo(*, seed: int, scale: str) -> None:
    """Add this app's demo rows. Deterministic for a given seed; scale is 'small' or 'large'."""
    if TerritoryModel.objects.filter(name=DEMO_NAME).exists():
        return
    counts = list(
        Account.objects.exclude(country="")
        .values_list("country")
        .annotate(n=Count("id"))
        .order_by("-n", "country")
    )
    if not counts:
        return
    rng = random.Random(seed)
    today = calendar.company_today()
    first_day = Deal.objects.aggregate(first=Min("close_date"))["first"]
    live_from = min(first_day or today, today - timedelta(days=1))
    model = territory_model_create(name=DEMO_NAME, description="Regions, countries, segments.")
    leaves = _build_tree(model, counts)
    _cover(model, leaves, rng, live_from)
    territory_model_activate(model=model, on=live_from)
    _plan(model, counts, today)


def _build_tree(model: TerritoryModel, counts: list[tuple[str, int]]) -> list[Territory]:
    by_region: dict[str, list[str]] = {}
    for country, _ in counts:
        by_region.setdefault(_region_of(country), []).append(country)
    shown = {country for country, _ in counts[:MAX_COUNTRIES]}
    top = [country for country, _ in counts[:5]]
    leaves: list[Territory] = []
    for region in sorted(by_region):
        region_t = territory_create(model=model, name=region)
        rule_create(
            territory=region_t,
            name=f"{region}: every country",
            countries=by_region[region],
            priority=50,
        )
        small = [c for c in by_region[region] if c not in shown]
        if small:
            leaves.append(region_t)
        for country in sorted(c for c in by_region[region] if c in shown):
            country_t = territory_create(model=model, name=country, parent=region_t)
            rule_create(
                territory=country_t, name=f"Country {country}", countries=[country], priority=100
            )
            if country in top[:3]:
                enterprise = territory_create(
                    model=model,
                    name=f"{country} Enterprise",
                    parent=country_t,
                    type=TerritoryType.SEGMENT,
                )
                rule_create(
                    territory=enterprise,
                    name=f"{country} ≥ 1,000 employees",
                    countries=[country],
                    employees_min=1000,
                    priority=100,
                )
                commercial = territory_create(
                    model=model,
                    name=f"{country} Commercial",
                    parent=country_t,
                    type=TerritoryType.SEGMENT,
                )
                rule_create(
                    territory=commercial,
                    name=f"{country} < 1,000 employees",
                    countries=[country],
                    employees_max=999,
                    priority=100,
                )
                leaves += [enterprise, commercial]
            elif country in top[3:5]:
                sectors = list(
                    Account.objects.filter(country=country)
                    .exclude(sector="")
                    .values_list("sector")
                    .annotate(n=Count("id"))
                    .order_by("-n", "sector")[:2]
                )
                for sector, _ in sectors:
                    sector_t = territory_create(
                        model=model,
                        name=f"{country} {sector.title()}",
                        parent=country_t,
                        type=TerritoryType.INDUSTRY,
                    )
                    rule_create(
                        territory=sector_t,
                        name=f"{country} {sector}",
                        countries=[country],
                        sectors=[sector],
                        priority=100,
                    )
                    leaves.append(sector_t)
                leaves.append(country_t)
            else:
                leaves.append(country_t)
    return leaves


def _cover(model: TerritoryModel, leaves: list[Territory], rng: random.Random, start: date) -> None:
    people = _demo_people(rng)
    if not people:
        return
    for i, territory in enumerate(leaves):
        coverage_assign(territory=territory, person=people[i % len(people)], effective_from=start)
        if len(people) > len(leaves) and i < 5:
            coverage_assign(
                territory=territory,
                person=people[len(leaves) + i],
                role=CoverageRole.SUPPORT,
                effective_from=start,
            )
    manager = Person.objects.filter(user__username="manager").first()
    if manager is not None and leaves:
        root_id = int(leaves[0].path.strip("/").split("/")[0])
        coverage_assign(
            territory=Territory.objects.get(pk=root_id),
            person=manager,
            role=CoverageRole.OVERLAY,
            effective_from=start,
        )


def _plan(model: TerritoryModel, counts: list[tuple[str, int]], today: date) -> None:
    """A planning copy with a few changes: strategic named accounts, an exclusion, a moved country."""
    plan = territory_model_clone(source=model, name=PLAN_NAME, on=today)
    strategic = territory_create(
        model=plan, name="Strategic accounts", type=TerritoryType.NAMED_ACCOUNTS
    )
    biggest = Account.objects.exclude(annual_revenue=None).order_by("-annual_revenue", "pk")[:10]
    for account in biggest:
        pin_set(model=plan, account=account, territory=strategic, reason="Top-10 by revenue")
    dormant = Account.objects.exclude(annual_revenue=None).order_by("annual_revenue", "pk").first()
    if dormant is not None:
        pin_set(
            model=plan,
            account=dormant,
            territory=None,
            kind=PinKind.EXCLUSION,
            reason="Dormant: smallest account, served by partners",
        )
    by_region: dict[str, list[str]] = {}
    for country, _ in counts[:MAX_COUNTRIES]:
        by_region.setdefault(_region_of(country), []).append(country)
    for countries in by_region.values():
        if len(countries) >= 2:
            host = plan.territories.filter(name=countries[0]).first()
            if host is not None:
                rule_create(
                    territory=host,
                    name=f"Plan: {countries[-1]} joins {countries[0]}",
                    countries=[countries[-1]],
                    priority=120,
                )
            break
    territory_assignments_run(model=plan, on=today)
