"""Team B's objects, for the refusal audits (tests/salesops/test_api_refusals.py and
test_page_refusals.py): every kind of object a write can name, owned by rep_b1 / team B, so that
rep_a1, manager_a and the outsider may not see them while sales ops and the admin do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compensation.models import Dispute, Quota, Statement
from compensation.services import statements as statement_services
from meetings.models import Notification
from salesops import calendar
from salesops.models import DealSplit, SalesCost
from territories.models import Pin, TerritoryAssignment
from tests.compensation.factories import (
    FLAT_5,
    approved_plan,
    assign,
    month_quota,
    territory,
    won_deal,
)
from tests.factories import AccountFactory, ProductFactory
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, meeting_with

ABSENT = 99_999_999
MAR = calendar.month_containing(dt.date(2026, 3, 15))


@dataclass
class Objects:
    """Team B's objects (rep_b1's and manager_b's), and a few of the caller's own helpers."""

    ids: dict[str, int]


def build_team_b_objects(personas: Any) -> Objects:
    rep_b1 = personas.person("rep_b1")
    version = approved_plan("Team B plan", FLAT_5, dt.date(2026, 1, 1))
    assign(rep_b1, version, dt.date(2026, 1, 1), target_incentive=Decimal(5000))
    month_quota(rep_b1, MAR, "100000")
    deal = won_deal(rep_b1, "150000", dt.date(2026, 3, 10))
    statement_services.statements_generate(period=MAR)
    statement = Statement.objects.get(person=rep_b1)
    line = statement.lines.first()
    assert line is not None
    dispute = Dispute.objects.create(
        statement=statement,
        line=line,
        line_description=line.description,
        line_amount=line.amount,
        raised_by=personas.rep_b1,
        comment="x",
    )
    meeting = meeting_with(rep_b1, personas.person("manager_b"))
    their_territory = territory("B land")
    own_territory = territory("Open land")
    coverage = TerritoryAssignment.objects.create(
        territory=their_territory, person=rep_b1, effective_from=dt.date(2026, 1, 1)
    )
    account = AccountFactory(name="Team B's customer")
    pin = Pin.objects.create(
        model=their_territory.model, account=account, territory=their_territory
    )
    rule = their_territory.rules.create(name="B rule", priority=1)
    ids = {
        "person": rep_b1.pk,
        "team": personas.team_b.pk,
        "deal": deal.pk,
        "account": account.pk,
        "product": ProductFactory(name="B product").pk,
        "cost": SalesCost.objects.create(
            person=rep_b1, date=dt.date(2026, 3, 2), category="travel", amount=Decimal(10)
        ).pk,
        "meeting": meeting.pk,
        "agenda": AgendaItemFactory(meeting=meeting).pk,
        "action": ActionItemFactory(meeting=meeting, owner=rep_b1).pk,
        "notification": Notification.objects.create(person=rep_b1, title="Hi").pk,
        "plan": version.plan_id,
        "version": version.pk,
        "assignment": version.plan.assignments.get(person=rep_b1).pk,
        "quota": Quota.objects.filter(person=rep_b1).first().pk,  # type: ignore[union-attr]
        "statement": statement.pk,
        "line": line.pk,
        "dispute": dispute.pk,
        "territory": their_territory.pk,
        "model": their_territory.model_id,
        "rule": rule.pk,
        "pin": pin.pk,
        "coverage": coverage.pk,
        # the callers' own, valid parts of a body (a deal each out-of-scope caller sees)
        "deal_own": _shared_deal(personas).pk,
        "product_own": ProductFactory(name="Own product").pk,
        "account_own": AccountFactory(name="Own customer").pk,
        "model_own": own_territory.model_id,
        "territory_own": own_territory.pk,
    }
    return Objects(ids=ids)


def _shared_deal(personas) -> Any:
    deal = won_deal(personas.person("rep_a1"), "1000", dt.date(2026, 3, 12))
    DealSplit.objects.filter(deal=deal).update(percent=Decimal(50))
    DealSplit.objects.create(deal=deal, person=personas.person("outsider"), percent=Decimal(50))
    return deal
