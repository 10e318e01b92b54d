"""Team attainment (compensation/team/): every person the viewer may see, with quota, credited
revenue, attainment, pace, sales cost and efficiency ratio for the period; searchable by name,
filterable by team, sortable by ratio, attainment, revenue and cost across all rows (not one
page), with page sizes and a CSV of the same rows (salesops.listing).

Revenue is the person's credited split value in the period (the attainment figure's credit);
cost is the sales-cost ledger booked to the person in the period; the ratio is
revenue / cost × 100 (salesops.formulas, None when the cost is 0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from compensation import selectors
from compensation.selectors.attainment import AttainmentRow
from salesops import calendar
from salesops.formulas import efficiency_ratio
from salesops.listing import Listing
from salesops.models import Person, SalesCost
from salesops.selectors.scope import AnyUser, scope_for, visible_people

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TeamPersonRow:
    person: Person
    row: AttainmentRow | None
    revenue: Decimal
    cost: Decimal
    ratio: Decimal | None

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def attainment(self) -> Decimal | None:
        return self.row.percent if self.row else None


TEAM = Listing(
    sorts={
        "name": lambda r: r.person.name.lower(),
        "team": lambda r: (r.person.team.name if r.person.team else "").lower(),
        "attainment": lambda r: r.attainment,
        "revenue": lambda r: r.revenue,
        "cost": lambda r: r.cost,
        "ratio": lambda r: r.ratio,
    },
    default_sort="name",
    search_fields=("name",),
    search_label="Name",
    page_sizes=(50, 25, 100, 200),
    columns=(
        ("person", lambda r: r.person.name),
        ("team", lambda r: r.person.team.name if r.person.team else ""),
        ("quota", lambda r: r.row.quota if r.row else None),
        ("credited_revenue", lambda r: r.revenue),
        ("attainment_percent", lambda r: r.attainment),
        ("pace_percent", lambda r: r.row.pace_percent if r.row else None),
        ("sales_cost", lambda r: r.cost),
        ("efficiency_ratio", lambda r: r.ratio),
    ),
)


def team_rows(
    *, user: AnyUser, team_id: int | None, start: date, end: date, today: date
) -> list[TeamPersonRow]:
    """One row per active person the user may see (optionally one team's). A fixed number of
    queries whatever the number of people: the people, attainment's four, one cost GROUP BY."""
    people = visible_people(user=user).filter(active=True).select_related("team")
    if team_id is not None:
        people = people.filter(team_id=team_id)
    people_list = list(people)
    ids = [p.pk for p in people_list]
    attainment = selectors.attainment_for_people(
        user=user, person_ids=ids, start=start, end=end, today=today
    )
    costs = dict(
        SalesCost.objects.filter(person_id__in=ids, date__gte=start, date__lte=end)
        .values("person_id")
        .annotate(total=Sum("amount"))
        .values_list("person_id", "total")
    )
    out = []
    for person in people_list:
        row = attainment.get(person.pk)
        revenue = row.credited if row else ZERO
        cost = costs.get(person.pk) or ZERO
        out.append(TeamPersonRow(person, row, revenue, cost, efficiency_ratio(revenue, cost)))
    return out


def team(request: HttpRequest) -> HttpResponse:
    """The manager's (or sales ops') team table: attainment, pace, cost, ratio and club badges."""
    scope = scope_for(request.user)
    if not scope.everything and not scope.team_ids:
        return redirect("compensation:me")
    today = calendar.company_today()
    try:
        period = calendar.parse(
            request.GET.get("period") or calendar.period_containing(today, calendar.YEAR).key
        )
    except ValueError:
        period = calendar.period_containing(today, calendar.YEAR)
    raw_team = request.GET.get("team", "")
    team_id = int(raw_team) if raw_team.isdigit() else None
    rows = team_rows(
        user=request.user, team_id=team_id, start=period.start, end=period.end, today=today
    )
    if TEAM.wants_csv(request):
        return TEAM.csv(request, rows, f"team-attainment-{period.key}.csv")
    listing = TEAM.page(request, rows)
    teams = selectors.team_rollup(
        user=request.user,
        team_ids=sorted({r.person.team_id for r in listing.page if r.person.team_id}),
        start=period.start,
        end=period.end,
    )
    return render(
        request,
        "compensation/team.html",
        {
            "period": period,
            "period_choices": [
                calendar.period_containing(today, calendar.YEAR),
                *calendar.periods(period.fy, calendar.QUARTER),
                calendar.period_containing(today, calendar.MONTH),
            ],
            "listing": listing,
            "rows": listing.page.object_list,
            "teams": teams,
        },
    )
