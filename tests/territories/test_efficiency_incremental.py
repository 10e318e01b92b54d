"""Territory snapshots of an incremental nightly run equal a full run's (the provider fast path)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from salesops.efficiency_scopes import (
    register_scope_provider,
    scope_fingerprints,
    scope_won_deals_providers,
)
from salesops.models import Deal, EfficiencySnapshot, Person, SalesCost, Team
from salesops.services.efficiency import efficiency_snapshots_compute
from salesops.services.efficiency.periods import state_horizon
from salesops.services.efficiency.person_days import WON_DEALS
from territories.efficiency import daily_rows_from_won_deals_sql, daily_rows_sql
from territories.models import AccountTerritory
from territories.services import coverage_assign, territory_model_activate
from tests.factories import AccountFactory, PersonFactory, SalesCostFactory, WonDealFactory
from tests.territories.factories import make_model, make_rule, make_territory

D = Decimal
AS_OF = date(2026, 5, 20)
COLUMNS = (
    "scope_type",
    "scope_id",
    "scope_key",
    "period",
    "period_start",
    "period_end",
    "revenue",
    "cost",
    "ratio",
    "won_deals",
)


def territory_snapshots() -> list[tuple[Any, ...]]:
    return list(
        EfficiencySnapshot.objects.filter(scope_type="territory")
        .order_by(*COLUMNS)
        .values_list(*COLUMNS)
    )


def _register_the_territories(fingerprint: Any) -> None:
    """Back to the registration territories/apps.py makes."""
    register_scope_provider(
        "territory",
        daily_rows_sql,
        inputs_fingerprint=fingerprint,
        from_won_deals=daily_rows_from_won_deals_sql,
    )


def all_snapshots() -> list[tuple[Any, ...]]:
    return list(EfficiencySnapshot.objects.order_by(*COLUMNS).values_list(*COLUMNS))


def incremental_then_full() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    efficiency_snapshots_compute(as_of=AS_OF)
    incremental = all_snapshots()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    return incremental, all_snapshots()


@pytest.fixture
def territory_org():
    de_acc, fr_acc = AccountFactory(country="DE"), AccountFactory(country="FR")
    model = make_model("Live")
    region = make_territory(model, "Europe")
    de = make_territory(model, "Germany", parent=region)
    fr = make_territory(model, "France", parent=region)
    make_rule(de, countries=["DE"])
    make_rule(fr, countries=["FR"])
    dora, fred = PersonFactory(), PersonFactory()
    coverage_assign(territory=de, person=dora, effective_from=date(2025, 1, 1))
    coverage_assign(territory=fr, person=fred, effective_from=date(2025, 1, 1))
    territory_model_activate(model=model, on=date(2025, 1, 1))
    for day in (date(2025, 11, 3), date(2026, 2, 10), date(2026, 5, 19)):
        WonDealFactory(
            account=de_acc, owner=dora, close_value=D(1000), close_date=day, engage_date=None
        )
        WonDealFactory(
            account=fr_acc, owner=fred, close_value=D(400), close_date=day, engage_date=None
        )
        SalesCostFactory(person=dora, date=day, amount=D(300))
        SalesCostFactory(person=fred, date=day, amount=D(100))
    # The test transaction's now() is its start: date the team tree before it, or every publish
    # would see a team change and recompute everything.
    # Likewise the seeded people, deals and costs, so a quiet night touches nothing.
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    for model_class in (Team, Person, Deal, SalesCost):
        model_class.objects.update(updated_at=long_ago)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert territory_snapshots()
    return {"region": region, "de": de, "fr": fr, "dora": dora, "fred": fred, "de_acc": de_acc}


@pytest.mark.django_db
@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_new_deal_and_cost_in_a_closed_month_reach_territory_snapshots_incrementally(
    territory_org,
):
    WonDealFactory(
        account=territory_org["de_acc"],
        owner=territory_org["dora"],
        close_value=D(777),
        close_date=date(2025, 11, 20),
        engage_date=None,
    )
    SalesCostFactory(person=territory_org["fred"], date=date(2026, 2, 11), amount=D(55))

    incremental, full = incremental_then_full()

    assert incremental == full
    november = [
        row
        for row in incremental
        if row[0] == "territory"
        and row[1] == territory_org["de"].pk
        and row[3] == "month"
        and row[4] == date(2025, 11, 1)
    ]
    assert [row[6] for row in november] == [D(1777)]


@pytest.mark.django_db
def test_territory_changes_without_deal_changes_recompute_every_period(territory_org):
    # Retroactively move the German account's history to France and give Fred a second
    # territory (the region): only the territory tables change, no deal or cost does.
    AccountTerritory.objects.filter(account=territory_org["de_acc"]).update(
        territory=territory_org["fr"]
    )
    coverage_assign(
        territory=territory_org["region"],
        person=territory_org["fred"],
        effective_from=date(2025, 6, 1),
    )

    incremental, full = incremental_then_full()

    assert incremental == full
    de_rows = [r for r in full if r[0] == "territory" and r[1] == territory_org["de"].pk]
    assert all(row[6] == 0 for row in de_rows)


@pytest.mark.django_db
@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_quiet_nights_skip_the_provider_and_a_changed_day_is_asked_alone(territory_org):
    calls: list[tuple[date, date]] = []

    def spy(*, start: date, end: date) -> tuple[str, list[object]]:
        calls.append((start, end))
        return daily_rows_sql(start=start, end=end)

    fingerprint = scope_fingerprints()["territory"]
    register_scope_provider("territory", spy, inputs_fingerprint=fingerprint)
    try:
        # Nothing changed since the fixture's full run: the cached territory days are read.
        efficiency_snapshots_compute(as_of=AS_OF)
        assert calls == []
        WonDealFactory(
            account=territory_org["de_acc"],
            owner=territory_org["dora"],
            close_value=D(50),
            close_date=date(2026, 5, 19),
            engage_date=None,
        )
        efficiency_snapshots_compute(as_of=AS_OF)
        assert calls == [(date(2026, 5, 19), date(2026, 5, 19))]
        incremental = all_snapshots()
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
    finally:
        _register_the_territories(fingerprint)

    # A full run rebuilds every day from the horizon of its date on (the previous fiscal year).
    assert calls[-1] == (state_horizon(AS_OF), date.max) == (date(2025, 1, 1), date.max)
    assert incremental == all_snapshots()
    may = [r for r in incremental if r[:4] == ("territory", territory_org["de"].pk, "", "mtd")]
    assert [r[6] for r in may] == [D(1050)]


@pytest.mark.django_db
def test_a_crash_emptied_cache_is_rebuilt_not_trusted(territory_org):
    from django.db import connection

    expected = all_snapshots()
    # UNLOGGED tables come back empty after a crash, cursors included.
    with connection.cursor() as cur:
        cur.execute("TRUNCATE salesops_efficiencyscopeday, salesops_efficiencycursor")

    efficiency_snapshots_compute(as_of=AS_OF)

    assert all_snapshots() == expected


def _fingerprint() -> str:
    from django.db import connection

    from territories.efficiency import inputs_fingerprint_sql

    sql, params = inputs_fingerprint_sql()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return str(cur.fetchone()[0])


@pytest.mark.django_db
def test_every_write_to_a_territory_input_table_changes_the_fingerprint(territory_org):
    """Triggers, not the ORM: a queryset update and raw SQL count, even of no rows."""
    from django.db import connection

    from territories.efficiency import FINGERPRINT_TABLES
    from territories.models import TerritoryModel

    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%%_efficiency_inputs'"
        )
        assert sorted(row[0] for row in cur.fetchall()) == sorted(FINGERPRINT_TABLES)

    seen = [_fingerprint()]
    TerritoryModel.objects.filter(pk=territory_org["de"].model_id).update(name="Renamed")
    seen.append(_fingerprint())
    with connection.cursor() as cur:
        cur.execute("UPDATE territories_accountterritory SET valid_from = valid_from")
        seen.append(_fingerprint())
        cur.execute("SELECT 1 FROM territories_territoryassignment")  # a read changes nothing
        assert _fingerprint() == seen[-1]
        cur.execute("DELETE FROM territories_territoryassignment WHERE false")  # a statement
        seen.append(_fingerprint())
        cur.execute("INSERT INTO territories_territory SELECT * FROM territories_territory LIMIT 0")
        seen.append(_fingerprint())
    assert len(set(seen)) == len(seen) == 5


@pytest.mark.django_db
def test_without_its_version_row_the_next_change_still_changes_the_fingerprint(territory_org):
    from django.db import connection

    from territories.models import EfficiencyInputsVersion

    before = _fingerprint()
    EfficiencyInputsVersion.objects.all().delete()  # e.g. a flush
    missing = _fingerprint()
    assert missing != before and _fingerprint() == missing  # stable while nothing changes
    with connection.cursor() as cur:
        cur.execute("UPDATE territories_territory SET name = name")
    assert _fingerprint() not in {before, missing}
    assert EfficiencyInputsVersion.objects.get(pk=1).version > 1_000_000


@pytest.mark.django_db
@pytest.mark.usefixtures("january_berlin")
def test_a_full_run_builds_the_territory_days_from_the_won_deals_it_read(territory_org):
    """A full run reads the won deals once: the territories' days come from the per-deal credit
    of its own statement (`from_won_deals` over its WITH item WON_DEALS), not from the provider's
    own join of deals and splits, and give the same snapshots as the provider's SQL."""
    fingerprint = scope_fingerprints()["territory"]
    assert scope_won_deals_providers()["territory"] is daily_rows_from_won_deals_sql
    calls: list[str] = []

    def provider(*, start: date, end: date) -> tuple[str, list[object]]:
        calls.append("provider")
        return daily_rows_sql(start=start, end=end)

    def from_won_deals(*, won_deals: str, start: date, end: date) -> tuple[str, list[object]]:
        calls.append(f"won deals from {won_deals} since {start}")
        return daily_rows_from_won_deals_sql(won_deals=won_deals, start=start, end=end)

    try:
        register_scope_provider(
            "territory",
            provider,
            inputs_fingerprint=fingerprint,
            from_won_deals=from_won_deals,
        )
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
        assert calls == [f"won deals from {WON_DEALS} since {state_horizon(AS_OF)}"]
        shared = all_snapshots()

        register_scope_provider("territory", provider, inputs_fingerprint=fingerprint)
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
        assert calls[-1] == "provider"
        assert all_snapshots() == shared
        assert any(r[0] == "territory" and r[6] > 0 for r in shared)  # revenue was there
    finally:
        _register_the_territories(fingerprint)
