"""The payout ledger: a statement pays what is owed now minus what approved statements already
paid for the same (person, deal, component); a change to a paid deal gives one explained
correcting line on the next open statement. Approving posts the pay to the sales-cost ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation.models import PayoutEntry, Statement, StatementStatus
from compensation.services import statements as svc
from salesops import calendar
from salesops.models import CostCategory, CostSource, EfficiencySnapshot, SalesCost
from salesops.services.deals import deal_splits_set, deal_update
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR = (calendar.month_containing(dt.date(2026, i, 15)) for i in (1, 2, 3, 4))
DEC = calendar.month_containing(dt.date(2026, 12, 15))
FLAT_5_SPIF: dict[str, Any] = {
    **FLAT_5,
    "spifs": [
        {
            "name": "Year push",
            "amount": "250",
            "start": "2026-01-01",
            "end": "2026-12-31",
            "product": "",
            "min_deal_value": "0",
        }
    ],
}


@pytest.fixture
def rep(personas):
    return personas.person("rep_a1")


def _approve(personas, statement: Statement | None) -> Statement:
    assert statement is not None
    return svc.statement_approve(user=personas.sales_ops, statement=statement)


def _lines(statement: Statement | None) -> list[tuple[str, D]]:
    assert statement is not None
    return [(line.kind, line.amount) for line in statement.lines.order_by("position")]


def test_a_paid_deal_moved_into_a_later_month_is_not_paid_again(personas, rep):
    """Issue 18: paid on the locked February statement, close date moved into December by the
    rep: December pays no commission and no SPIF for it again."""
    assign(rep, approved_plan("Flat+SPIF", FLAT_5_SPIF, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    feb = _approve(personas, svc.statement_generate(person=rep, period=FEB))
    assert _lines(feb) == [("commission", D("2000.00")), ("spif", D("250.00"))]
    deal_update(deal=deal, data={"close_date": dt.date(2026, 12, 5)})
    dec = svc.statement_generate(person=rep, period=DEC)
    assert _lines(dec) == []
    assert dec is not None and dec.payable == D("0.00")
    assert dec.credited == D("40000")  # it still counts toward December's attainment


def test_domain_example_amount_corrected_after_payment_gives_minus_500_on_next_statement(
    personas, rep
):
    """docs/domain.md: a 40,000 deal paid 2,000 (5 %) in February, corrected to 30,000 → −500."""
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"close_value": D("30000")})
    mar = svc.statement_generate(person=rep, period=MAR)
    (line,) = mar.lines.all()
    assert (line.kind, line.amount, line.component) == ("correction", D("-500.00"), "commission")
    assert line.deal_id == deal.pk
    assert "1,500.00 owed now" in line.description and "2,000.00 paid before" in line.description
    assert line.formula == "1,500.00 owed now − 2,000.00 paid = -500.00"
    assert (mar.payable, mar.carry_forward) == (D("0.00"), D("-500.00"))


def test_generate_approve_edit_regenerate_pays_once_and_corrects_once(personas, rep):
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"close_date": dt.date(2026, 2, 20)})  # still February
    assert svc.statements_generate(period=FEB).locked == 1
    assert _lines(svc.statement_generate(person=rep, period=MAR)) == []
    deal_update(deal=deal, data={"close_value": D("44000")})
    assert _lines(svc.statement_generate(person=rep, period=MAR)) == [("correction", D("200.00"))]
    assert svc.statements_generate(period=MAR).unchanged == 1  # regenerating adds nothing
    _approve(personas, Statement.objects.get(person=rep, period_start=MAR.start))
    assert _lines(svc.statement_generate(person=rep, period=APR)) == []
    paid = sum(PayoutEntry.objects.filter(person=rep, deal=deal).values_list("amount", flat=True))
    assert paid == D("2200.00")


def test_split_change_after_payment_corrects_both_people(personas, rep):
    other = personas.person("rep_a2")
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    assign(other, version, JAN.start)
    deal = won_deal(rep, "10000", dt.date(2026, 2, 10))
    svc.statements_generate(period=FEB)
    for statement in Statement.objects.filter(period_start=FEB.start):
        _approve(personas, statement)
    deal_splits_set(deal=deal, splits=[(rep, D("40")), (other, D("60"))])
    svc.statements_generate(period=MAR)
    assert _lines(Statement.objects.get(person=rep, period_start=MAR.start)) == [
        ("correction", D("-300.00"))
    ]
    assert _lines(Statement.objects.get(person=other, period_start=MAR.start)) == [
        ("correction", D("300.00"))
    ]


def test_a_deal_moved_to_another_owner_is_corrected_to_zero_for_the_old_owner(personas, rep):
    other = personas.person("rep_a2")
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "10000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"owner": other})
    mar = svc.statement_generate(person=rep, period=MAR)
    (line,) = mar.lines.all()
    assert line.amount == D("-500.00") and "no longer credited to you" in line.description


def test_approval_records_what_each_line_paid_for(personas, rep):
    version = approved_plan("Flat+SPIF", FLAT_5_SPIF, JAN.start)
    assign(rep, version, JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    feb = _approve(personas, svc.statement_generate(person=rep, period=FEB))
    rows = list(
        PayoutEntry.objects.filter(statement=feb)
        .order_by("line__position")
        .values_list(
            "person_id",
            "deal_id",
            "component",
            "amount",
            "share",
            "base",
            "period_start",
            "plan_version_id",
        )
    )
    assert rows == [
        (rep.pk, deal.pk, "commission", D("2000.00"), D("100"), D("40000"), FEB.start, version.pk),
        (rep.pk, deal.pk, "spif", D("250.00"), D("100"), D("250"), FEB.start, version.pk),
    ]
    entry = PayoutEntry.objects.filter(statement=feb).first()
    assert entry is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutEntry.objects.create(
            statement=feb,
            line=entry.line,
            person=rep,
            deal=deal,
            component="commission",
            amount=D("1"),
            period_start=FEB.start,
            explanation="twice",
        )


def test_a_lost_deal_stays_with_the_clawback_path_and_is_clawed_once(personas, rep):
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"close_value": D("30000")})
    _approve(personas, svc.statement_generate(person=rep, period=MAR))
    with time_machine.travel(dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC), tick=False):
        deal_update(deal=deal, data={"stage": "lost"})
    apr = svc.statement_generate(person=rep, period=APR)
    assert _lines(apr)[:1] == [("clawback", D("-1500.00"))]
    assert ("correction", D("-1500.00")) not in _lines(apr)


# --- item 6: commission is a sales cost -------------------------------------------------------


def test_approving_posts_the_statement_to_the_sales_cost_ledger_once(personas, rep):
    assign(rep, approved_plan("Flat+SPIF", FLAT_5_SPIF, JAN.start), JAN.start)
    won_deal(rep, "40000", dt.date(2026, 2, 10))
    feb = _approve(personas, svc.statement_generate(person=rep, period=FEB))
    cost = SalesCost.objects.get(person=rep, category=CostCategory.COMMISSION)
    assert (cost.amount, cost.date, cost.source) == (D("2250.00"), FEB.end, CostSource.COMPUTED)
    from compensation.services.payouts import commission_costs_post

    commission_costs_post(statements=[feb])  # posting again updates the same row
    assert SalesCost.objects.filter(person=rep, source=CostSource.COMPUTED).count() == 1


def test_a_negative_correction_month_posts_its_difference(personas, rep):
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"close_value": D("30000")})
    _approve(personas, svc.statement_generate(person=rep, period=MAR))
    rows = dict(
        SalesCost.objects.filter(person=rep, source=CostSource.COMPUTED).values_list(
            "date", "amount"
        )
    )
    assert rows == {FEB.end: D("2000.00"), MAR.end: D("-500.00")}


def test_efficiency_cost_includes_exactly_the_approved_commission(personas, rep):
    assign(rep, approved_plan("Flat+SPIF", FLAT_5_SPIF, JAN.start), JAN.start)
    won_deal(rep, "40000", dt.date(2026, 2, 10))
    won_deal(rep, "10000", dt.date(2026, 2, 12))
    statement = svc.statement_generate(person=rep, period=FEB)
    assert statement is not None and statement.status == StatementStatus.DRAFT

    def person_cost() -> D:
        efficiency_snapshots_compute(as_of=FEB.end, full=True)
        row = EfficiencySnapshot.objects.filter(
            scope_type="person", scope_id=rep.pk, period="mtd", period_end=FEB.end
        ).first()
        return row.cost if row else D(0)

    before = person_cost()
    _approve(personas, statement)
    assert person_cost() - before == D("3000.00")  # 2,500 commission + 2 × 250 SPIF


# --- property: Σ paid over the months = one computation on the final data ----------------------

PROPERTY_PLAN: dict[str, Any] = {
    "method": "marginal",
    "tier_basis": "attainment",
    "tiers": [
        {"from": "0", "to": "100", "rate": "5"},
        {"from": "100", "to": None, "rate": "8", "label": "accelerator"},
    ],
    "cap": {"kind": "absolute", "value": "4000"},
    "spifs": [
        {
            "name": "Q push",
            "amount": "300",
            "start": "2026-01-01",
            "end": "2026-02-28",
            "product": "",
            "min_deal_value": "20000",
        }
    ],
    "clawback_days": 90,
}
MONTHS = (JAN, FEB, MAR, APR)
QUOTA = "40000"

value_st = st.integers(min_value=1, max_value=12).map(lambda n: D(n * 5000))
day_st = st.tuples(st.integers(0, 3), st.integers(1, 28))
deal_st = st.tuples(value_st, day_st, st.sampled_from([0, 1]))
edit_st = st.one_of(
    st.tuples(st.just("amount"), st.integers(0, 3), value_st),
    st.tuples(st.just("close"), st.integers(0, 3), day_st),
    st.tuples(st.just("split"), st.integers(0, 3), st.sampled_from([0, 40, 100])),
    st.tuples(st.just("owner"), st.integers(0, 3), st.sampled_from([0, 1])),
    st.tuples(st.just("stage"), st.integers(0, 3), st.sampled_from(["won", "closing"])),
)


def _day(spec: tuple[int, int]) -> dt.date:
    return dt.date(2026, spec[0] + 1, spec[1])


def _apply(edit: tuple[Any, ...], deals: list[Any], people: list[Any]) -> None:
    kind, index, value = edit
    deal = deals[index % len(deals)]
    deal.refresh_from_db()
    if kind == "amount":
        deal_update(deal=deal, data={"close_value": value})
    elif kind == "close":
        deal_update(deal=deal, data={"close_date": _day(value)})
    elif kind == "split":
        splits = [(people[0], D(value)), (people[1], D(100 - value))]
        deal_splits_set(deal=deal, splits=[(p, pct) for p, pct in splits if pct > 0])
    elif kind == "owner":
        deal_update(deal=deal, data={"owner": people[value]})
    else:
        deal_update(deal=deal, data={"stage": value})


def _owed_on_final_data(people: list[Any], version: Any) -> dict[tuple[Any, ...], D]:
    from compensation import engine
    from salesops.selectors.credit import credited_splits

    plan = engine.parse_plan(version.definition)
    owed: dict[tuple[Any, ...], D] = {}
    for person in people:
        for month in MONTHS:
            deals = [
                engine.DealCredit(
                    ref=s.deal.external_id,
                    credit=s.credit,
                    close_date=s.deal.close_date,
                    deal_value=s.deal.close_value,
                    share=s.percent,
                    deal_id=s.deal_id,
                )
                for s in credited_splits(start=month.start, end=month.end, person_ids=[person.pk])
                .select_related("deal")
                .order_by("deal_id")
            ]
            result = engine.calculate(plan=plan, quota=D(QUOTA), deals=deals)
            for line in result.lines:
                key = (
                    person.pk,
                    line.deal_id,
                    line.kind,
                    month.start if line.deal_id is None else None,
                )
                owed[key] = owed.get(key, D(0)) + line.amount
    return {k: v for k, v in owed.items() if v != 0}


def _paid_in_ledger(people: list[Any]) -> dict[tuple[Any, ...], D]:
    paid: dict[tuple[Any, ...], D] = {}
    for entry in PayoutEntry.objects.filter(
        person__in=people, component__in=["commission", "spif", "cap"]
    ):
        key = (
            entry.person_id,
            entry.deal_id,
            entry.component,
            entry.period_start if entry.deal_id is None else None,
        )
        paid[key] = paid.get(key, D(0)) + entry.amount
    return {k: v for k, v in paid.items() if v != 0}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.lists(deal_st, min_size=1, max_size=4),
    edits=st.lists(st.lists(edit_st, max_size=3), min_size=4, max_size=4),
)
def test_paid_over_the_months_equals_one_computation_on_the_final_data(personas, initial, edits):
    from compensation.services import quotas as quota_services

    people = [personas.person("rep_a1"), personas.person("rep_a2")]
    with transaction.atomic():
        version = approved_plan("Property", PROPERTY_PLAN, JAN.start)
        for person in people:
            assign(person, version, JAN.start)
            for month in MONTHS:
                quota_services.quota_set(
                    user=None,
                    assignee=quota_services.Assignee(person=person),
                    metric="revenue",
                    period=month,
                    amount=D(QUOTA),
                    apply_ramp=False,
                )
        deals = []
        for value, day, owner in initial:
            deal = won_deal(people[owner], str(value), _day(day))
            type(deal).objects.filter(pk=deal.pk).update(engage_date=dt.date(2025, 12, 1))
            deals.append(deal)
        for month, month_edits in zip(MONTHS, edits, strict=True):
            for edit in month_edits:
                _apply(edit, deals, people)
            svc.statements_generate(period=month)
            if month == FEB:  # both ways of approving record the same ledger
                svc.statements_approve_month(user=None, period=month)
            else:
                for statement in Statement.objects.filter(period_start=month.start):
                    svc.statement_approve(user=None, statement=statement)
        owed = _owed_on_final_data(people, version)
        paid = _paid_in_ledger(people)
        assert paid == owed
        transaction.set_rollback(True)


def test_statements_approved_before_the_ledger_are_backfilled_so_nothing_is_paid_twice(
    personas, rep
):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module(
        "compensation.migrations.0004_backfill_payout_ledger"
    ).backfill
    assign(rep, approved_plan("Flat+SPIF", FLAT_5_SPIF, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    feb = _approve(personas, svc.statement_generate(person=rep, period=FEB))
    expected = sorted(PayoutEntry.objects.values_list("line_id", "component", "amount", "share"))
    PayoutEntry.objects.all().delete()  # as before the ledger existed
    feb.lines.update(component="", measure_period=None)
    backfill(apps, None)
    backfill(apps, None)  # once per line
    got = sorted(PayoutEntry.objects.values_list("line_id", "component", "amount", "share"))
    assert got == expected
    deal_update(deal=deal, data={"close_date": dt.date(2026, 12, 5)})
    assert _lines(svc.statement_generate(person=rep, period=DEC)) == []


@time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False)
def test_demo_approves_its_past_statements_and_efficiency_counts_exactly_that_pay():
    from compensation import demo
    from compensation.models import StatementLine
    from tests.compensation.test_demo import _org

    _, _, rep, _ = _org()
    demo.seed_demo(seed=7, scale="small")
    locked = Statement.objects.filter(status__in=["approved", "paid"])
    assert locked.exists()
    assert PayoutEntry.objects.filter(statement__in=locked).exists()
    posted = {
        (c.person_id, c.date): c.amount
        for c in SalesCost.objects.filter(
            source=CostSource.COMPUTED, external_ref__startswith="commission:"
        )
    }
    expected: dict[tuple[int, dt.date], D] = {}
    for line in StatementLine.objects.filter(statement__in=locked).exclude(kind="carry_forward"):
        key = (line.statement.person_id, line.statement.period_end)
        expected[key] = expected.get(key, D(0)) + line.amount
    for statement in locked:
        expected.setdefault((statement.person_id, statement.period_end), D(0))
    assert posted == {k: v.quantize(D("0.01")) for k, v in expected.items()}
    assert (
        not SalesCost.objects.filter(category=CostCategory.COMMISSION)
        .exclude(source=CostSource.COMPUTED)
        .exists()
    )
    may = calendar.month_containing(dt.date(2026, 5, 15))
    efficiency_snapshots_compute(as_of=may.end, full=True)
    row = EfficiencySnapshot.objects.get(
        scope_type="person", scope_id=rep.pk, period="mtd", period_end=may.end
    )
    assert row.cost == posted[(rep.pk, may.end)]  # the demo org has no other costs


def test_a_clawed_back_deal_won_again_is_paid_again_once(personas, rep):
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC), tick=False):
        deal_update(deal=deal, data={"stage": "lost"})
    mar = _approve(personas, svc.statement_generate(person=rep, period=MAR))
    assert _lines(mar) == [("clawback", D("-2000.00"))]
    deal_update(deal=deal, data={"stage": "won"})
    apr = _approve(personas, svc.statement_generate(person=rep, period=APR))
    assert ("correction", D("2000.00")) in _lines(apr)
    paid = sum(PayoutEntry.objects.filter(person=rep, deal=deal).values_list("amount", flat=True))
    assert paid == D("2000.00")
    may = calendar.month_containing(dt.date(2026, 5, 15))
    assert _lines(svc.statement_generate(person=rep, period=may)) == []


def test_the_rep_sees_the_explained_correction_on_their_statement_page(personas, rep, client_for):
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_update(deal=deal, data={"close_value": D("30000")})
    mar = svc.statement_generate(person=rep, period=MAR)
    assert mar is not None
    response = client_for(personas.rep_a1).get(f"/compensation/statements/{mar.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "kind-correction" in page and "1,500.00 owed now" in page
    assert "2,000.00 paid before" in page
