"""Demo data of the compensation app, called by `manage.py seed_demo` after the core data exists.

Adds, for the current fiscal year: monthly revenue quotas for every rep (seasonal,
ramped for new hires; sized from each person's actual credited revenue so attainment spreads from
~60 % to ~150 %: some reps reach the President's and Chairman's clubs), meetings quotas for SDRs,
team quotas — a manager's own number — (some teams over-, some under-assigned), two commission plans (a marginal one with
accelerators, a product rate, a SPIF and a cap; a retroactive one with a decelerator and a
recoverable draw), plan assignments, statements in every state (paid, approved, draft) with a
refund clawback, and an open and a resolved dispute for the demo `rep`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from compensation.models import (
    CommissionPlan,
    Metric,
    PlanAssignment,
    Quota,
    Statement,
    StatementStatus,
)
from compensation.services import clawbacks as clawback_services
from compensation.services import plans as plan_services
from compensation.services import statements as statement_services
from compensation.services.disputes import dispute_open, dispute_resolve
from compensation.services.quotas import Assignee, quota_rows, quotas_bulk_create
from salesops import calendar
from salesops.models import REP_ROLES, Deal, Person, Product, Role, Team
from salesops.selectors.credit import credit_by_person

SEASONALITY = [Decimal(p) for p in (6, 7, 8, 8, 8, 9, 7, 7, 9, 9, 10, 12)]
DEFAULT_ANNUAL: dict[str, Decimal] = {
    Role.ACCOUNT_EXECUTIVE: Decimal(600_000),
    Role.SALES_MANAGER: Decimal(2_000_000),
    Role.CUSTOMER_SUCCESS: Decimal(250_000),
    Role.SDR: Decimal(150_000),
    Role.SALES_ADMIN: Decimal(100_000),
}
LARGE_STATEMENT_PEOPLE = 1000
PROBE = Decimal(1_000_000)
ACCELERATED = "AE accelerated (marginal)"
RETROACTIVE = "SDR & CS (retroactive)"


def _plans(start: Any, product: str) -> dict[str, Any]:
    accelerated = {
        "method": "marginal",
        "tier_basis": "attainment",
        "tiers": [
            {"from": "0", "to": "100", "rate": "5"},
            {"from": "100", "to": "125", "rate": "8", "label": "accelerator"},
            {"from": "125", "to": None, "rate": "10", "label": "accelerator"},
        ],
        "cap": {"kind": "percent_of_target", "value": "300"},
        "product_rates": {product: "3"} if product else {},
        "spifs": [
            {
                "name": "Quarter-end push",
                "amount": "250",
                "start": str(start),
                "end": str(start + timedelta(days=30)),
                "min_deal_value": "5000",
            }
        ],
        "clawback_days": 90,
    }
    retroactive = {
        "method": "retroactive",
        "tier_basis": "attainment",
        "tiers": [
            {"from": "0", "to": "50", "rate": "2", "label": "decelerator"},
            {"from": "50", "to": "100", "rate": "4"},
            {"from": "100", "to": None, "rate": "6", "label": "accelerator"},
        ],
        "draw": {"amount": "300", "recoverable": True},
        "clawback_days": 60,
    }
    return {ACCELERATED: accelerated, RETROACTIVE: retroactive}


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1000"), ROUND_HALF_UP)


@transaction.atomic
def seed_demo(*, seed: int, scale: str) -> None:
    """Add this app's demo rows. Deterministic for a given seed; scale is 'small' or 'large'."""
    if CommissionPlan.objects.filter(name=ACCELERATED).exists():
        return  # already seeded
    rng = random.Random(seed)
    today = calendar.company_today()
    year = calendar.period_containing(today, calendar.YEAR)
    current = calendar.period_containing(today, calendar.MONTH)
    people = list(
        Person.objects.filter(active=True)
        .exclude(role=Role.SALES_OPS_MANAGER)
        .select_related("user")
        .order_by("pk")
    )
    if not people:
        return
    ops_user = get_user_model().objects.filter(username="ops").first()

    # Quotas sized from what each person actually sells, so attainment is believable. Last
    # fiscal year too when it had sales: the kickoff recognises last year's clubs.
    rows: list[Quota] = []
    last = calendar.year(year.fy - 1)
    last_credit = credit_by_person(start=last.start, end=last.end)
    if last_credit:
        last_rows, _ = _year_quotas(
            year=last, people=people, credited=last_credit, rng=rng, until=last.end
        )
        rows += last_rows
    year_rows, annual_by_person = _year_quotas(
        year=year,
        people=people,
        credited=credit_by_person(start=year.start, end=today),
        rng=rng,
        until=today,
    )
    rows += year_rows
    quotas_bulk_create(user=ops_user, rows=rows)

    # Two plans, approved, and everyone on one of them from the start of the year.
    product = Product.objects.order_by("pk").values_list("name", flat=True).first() or ""
    versions = {}
    for name, definition in _plans(current.start, product).items():
        version = plan_services.plan_create(
            user=ops_user,
            name=name,
            definition=definition,
            effective_from=year.start,
            description="Demo plan.",
        )
        versions[name] = plan_services.plan_version_approve(user=ops_user, version=version)
    assignments = []
    for person in people:
        if person.pk not in annual_by_person:
            continue  # managers: their number is the team's; these plans pay on own quota
        plan_name = (
            RETROACTIVE
            if person.role in (Role.SDR, Role.CUSTOMER_SUCCESS, Role.SALES_ADMIN)
            else ACCELERATED
        )
        target = (annual_by_person[person.pk] * Decimal("0.05") / 12).quantize(Decimal("0.01"))
        assignments.append(
            PlanAssignment(
                person=person,
                plan=versions[plan_name].plan,
                start=year.start,
                target_incentive=target,
            )
        )
    bulk_create_with_history(assignments, PlanAssignment, batch_size=5000, default_user=ops_user)

    # Statements: paid up to two months ago, approved last month, draft this month. The large
    # set only keeps the last three months (a million deals make a year of lines heavy).
    months = [m for m in calendar.periods(year.fy) if m.start <= current.start]
    rep = next((p for p in people if p.user and p.user.username == "rep"), None)
    statement_people: list[int] | None = None
    if scale == "large":
        # Every state is shown by a sample: a year of lines for 5,000 people and a million deals
        # would take the seed well past its budget. The nightly job drafts everyone else.
        months = months[-3:]
        statement_people = [p.pk for p in people[:LARGE_STATEMENT_PEOPLE]]
        if rep is not None and rep.pk not in statement_people:
            statement_people.append(rep.pk)
    for month in months:
        if month == current and rep is not None:
            _refund_one_paid_deal(rep=rep, before=month, ops_user=ops_user)
        statement_services.statements_generate(
            period=month, person_ids=statement_people, user=ops_user
        )
        if month == current:
            break
        # Through the service: the payout ledger and the commission cost rows come with it.
        statement_services.statements_approve_month(
            user=ops_user,
            period=month,
            person_ids=statement_people,
            mark_paid=month != current.previous(),
        )
    if rep is not None:
        _disputes(rep=rep, current=current, ops_user=ops_user, people=people)


def _year_quotas(
    *,
    year: calendar.FiscalPeriod,
    people: list[Person],
    credited: dict[int, Decimal],
    rng: random.Random,
    until: date,
) -> tuple[list[Quota], dict[int, Decimal]]:
    """Revenue quotas sized so that credited value to `until` is `target` × the (seasonal,
    ramped) quota to that day: attainment lands where the demo wants it, new hires included."""
    rows: list[Quota] = []
    annual_by_person: dict[int, Decimal] = {}
    for person in people:
        if person.role == Role.SALES_MANAGER:
            continue  # a manager's number is their team's quota (below)
        sold = credited.get(person.pk, Decimal(0))
        if person.user is not None and person.user.username == "rep":
            target = Decimal("1.12")  # the demo rep is a little ahead of plan
        else:
            target = Decimal(str(round(rng.uniform(0.6, 1.45), 2)))
        probe = quota_rows(
            assignee=Assignee(person=person),
            metric=Metric.REVENUE,
            period=year,
            amount=PROBE,
            seasonality=SEASONALITY,
        )
        share = sum((_to_date(row, until) for row in probe), Decimal(0)) / PROBE
        if sold > 0 and share > Decimal("0.01"):
            annual = _q(sold / target / share)
        else:
            annual = DEFAULT_ANNUAL.get(str(person.role), Decimal(300_000))
        annual = max(annual, Decimal(10_000))
        annual_by_person[person.pk] = annual
        rows += quota_rows(
            assignee=Assignee(person=person),
            metric=Metric.REVENUE,
            period=year,
            amount=annual,
            seasonality=SEASONALITY,
        )
        if person.role == Role.SDR:
            rows += quota_rows(
                assignee=Assignee(person=person),
                metric=Metric.MEETINGS_HELD,
                period=year,
                amount=Decimal(480),
            )
    members: dict[int, Decimal] = {}
    for person in people:
        if person.team_id and person.role in REP_ROLES:
            members[person.team_id] = (
                members.get(person.team_id, Decimal(0)) + annual_by_person[person.pk]
            )
    for team in Team.objects.filter(pk__in=list(members)).order_by("pk"):
        own = _q(members[team.pk] * Decimal(str(round(rng.uniform(0.9, 1.08), 2))))
        rows += quota_rows(
            assignee=Assignee(team=team),
            metric=Metric.REVENUE,
            period=year,
            amount=own,
            seasonality=SEASONALITY,
        )
    return rows, annual_by_person


def _to_date(row: Quota, until: date) -> Decimal:
    """The part of a monthly quota that falls on or before `until` (pro rata by day)."""
    if row.period_start > until:
        return Decimal(0)
    days = (row.period_end - row.period_start).days + 1
    covered = min((until - row.period_start).days + 1, days)
    return row.amount * covered / days


def _refund_one_paid_deal(*, rep: Person, before: calendar.FiscalPeriod, ops_user: Any) -> None:
    """A deal paid on last month's (locked) statement is refunded: this month claws it back."""
    previous = before.previous()
    deal = (
        Deal.objects.filter(
            splits__person=rep,
            stage="won",
            close_date__gte=previous.start,
            close_date__lte=previous.end,
        )
        .order_by("close_value", "pk")
        .first()
    )
    if deal is not None:
        clawback_services.deal_reversal_record(
            user=ops_user,
            deal_id=deal.pk,
            reversed_on=before.start,
            reason="refunded",
            note="Customer cancelled in the trial period (demo).",
        )


def _disputes(
    *, rep: Person, current: calendar.FiscalPeriod, ops_user: Any, people: list[Person]
) -> None:
    if rep.user is None:
        return
    statement = (
        Statement.objects.filter(person=rep, period_start=current.start)
        .prefetch_related("lines")
        .first()
    )
    if statement is None:
        return
    lines = list(statement.lines.all())
    if lines:
        dispute_open(
            user=rep.user,
            line=lines[0],
            comment="This deal was co-sold with marketing; I think the split should be 100 %.",
        )
    older = (
        Statement.objects.filter(person=rep, status=StatementStatus.PAID)
        .order_by("-period_start")
        .prefetch_related("lines")
        .first()
    )
    if older is not None and ops_user is not None:
        older_lines = list(older.lines.all())
        if older_lines:
            dispute = dispute_open(
                user=rep.user, line=older_lines[-1], comment="Was the accelerator applied?"
            )
            dispute_resolve(
                user=ops_user,
                dispute=dispute,
                accept=False,
                resolution="Checked: the accelerator starts above 100 % of the month's quota.",
            )
