"""The night's deal figures (dashboard.models.DealSnapshot): written after the efficiency run
publishes, equal to the live funnel / win rates / open pipeline of the same span, read by team and
company dashboards (one person's stay live)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dashboard.deal_snapshots import deal_snapshot_rows, deal_snapshots_replace
from dashboard.models import DealSnapshot
from dashboard.periods import resolve_period
from dashboard.selectors import dashboard_tiles
from dashboard.snapshots import figures_as_of
from salesops.hooks import efficiency_published
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.dashboard.conftest import NOW
from tests.dashboard.test_snapshot_figures import CASES, scope_and_roots
from tests.factories import DealFactory, WonDealFactory

TODAY = NOW.date()
AS_OF = TODAY - dt.timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]


@pytest.fixture
def published(book: Any) -> Any:
    efficiency_snapshots_compute(as_of=dt.date(2025, 12, 19))
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_published(AS_OF)  # what the nightly task does after publishing
    return book


def _funnel(tiles: Any) -> list[tuple[Any, ...]]:
    return [(s.stage, s.reached, s.current, s.lost_here, s.conversion) for s in tiles.funnel.steps]


@pytest.mark.parametrize(("who", "team", "key"), CASES)
def test_funnel_win_rates_and_pipeline_from_the_snapshot_equal_live(
    personas: Any, published: Any, who: str, team: str, key: str
) -> None:
    user = getattr(personas, who)
    value = str(personas.team_a_east.pk) if team == "sub" else team
    scope, roots = scope_and_roots(user, value)
    as_of = figures_as_of()
    assert as_of is not None and as_of.day == AS_OF
    snap = dashboard_tiles(
        scope=scope, period=resolve_period(key=key, today=TODAY), as_of=as_of, roots=roots
    )
    live = dashboard_tiles(scope=scope, period=resolve_period(key=key, today=AS_OF))
    assert (snap.won, snap.lost, snap.win_rate, snap.prev_win_rate) == (
        live.won,
        live.lost,
        live.win_rate,
        live.prev_win_rate,
    )
    assert (snap.open_deals, snap.open_pipeline) == (live.open_deals, live.open_pipeline)
    assert _funnel(snap) == _funnel(live)


def test_company_quarter_figures_by_hand(personas: Any, published: Any) -> None:
    scope, roots = scope_and_roots(personas.sales_ops, "")
    tiles = dashboard_tiles(
        scope=scope,
        period=resolve_period(key="qtd", today=TODAY),
        as_of=figures_as_of(),
        roots=roots,
    )
    # Won: rep_a1 (Feb 10), the split deal (Mar 1), rep_b1 (Mar 2), outsider (Mar 3); lost: rep_a3.
    assert (tiles.won, tiles.lost, tiles.open_deals) == (4, 1, 2)
    assert tiles.open_pipeline == Decimal("10000.00")


def test_the_snapshot_is_read_not_the_deals(personas: Any, published: Any) -> None:
    """A deal won today shows in the team's tiles after the next night, not now."""
    WonDealFactory(owner=personas.person("rep_a1"), close_value=Decimal("1"), close_date=TODAY)
    scope, roots = scope_and_roots(personas.manager_a, "")
    period = resolve_period(key="qtd", today=TODAY)
    snap = dashboard_tiles(scope=scope, period=period, as_of=figures_as_of(), roots=roots)
    live = dashboard_tiles(scope=scope, period=period)
    assert live.won == snap.won + 1


def test_rewrite_is_idempotent_and_rows_sum_per_scope(personas: Any, published: Any) -> None:
    before = DealSnapshot.objects.filter(as_of=AS_OF).count()
    assert before > 0
    deal_snapshots_replace(as_of=AS_OF)
    assert DealSnapshot.objects.filter(as_of=AS_OF).count() == before
    team_b = frozenset({personas.team_b.pk})
    rows = deal_snapshot_rows(as_of=AS_OF, period="qtd", team_ids=team_b)
    assert rows is not None
    assert [(r.stage, r.now, r.won_value) for r in rows] == [("won", 1, Decimal("99999.00"))]
    assert (
        deal_snapshot_rows(as_of=AS_OF - dt.timedelta(days=1), period="qtd", team_ids=None) is None
    )


def test_without_the_night_s_deal_rows_the_tiles_are_live(personas: Any, book: Any) -> None:
    efficiency_snapshots_compute(as_of=AS_OF)  # published, but no deal rows written
    DealFactory(owner=personas.person("rep_b1"), stage="closing", amount=Decimal("5"))
    scope, roots = scope_and_roots(personas.manager_b, "")
    tiles = dashboard_tiles(
        scope=scope,
        period=resolve_period(key="qtd", today=TODAY),
        as_of=figures_as_of(),
        roots=roots,
    )
    assert (tiles.open_deals, tiles.open_pipeline) == (1, Decimal("5"))
