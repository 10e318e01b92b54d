"""The panels that read the night's deal snapshot: cost of pursuit (equal to the meetings app's
live selector for the same span), stuck deals, and the paged people table / streamed CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.periods import resolve_period
from dashboard.pursuit import pursuit_panel
from dashboard.scopes import dashboard_scope_options
from dashboard.selectors import dashboard_stuck_deals, dashboard_tiles
from dashboard.snapshots import figures_as_of
from dashboard.views import PEOPLE_SHOWN
from meetings.selectors.pursuit import pursuit_by_segment
from meetings.services.costs import meeting_mark_done
from salesops.hooks import efficiency_published
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.dashboard.conftest import NOW
from tests.dashboard.test_snapshot_figures import scope_and_roots
from tests.factories import AccountFactory, DealFactory, PersonFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

TODAY = NOW.date()
AS_OF = TODAY - dt.timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]


@pytest.fixture(autouse=True)
def _post_old_meetings(settings: Any) -> None:
    settings.MEETING_COST_MAX_AGE_DAYS = 100_000


def _held_for(deal: Any, organizer: Any, *others: Any, day: int) -> Any:
    start = dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC)
    meeting = MeetingFactory(
        organizer=organizer,
        start=start,
        end=start + dt.timedelta(hours=1),
        type="client",
        deal=deal,
        account=deal.account,
    )
    for person in (organizer, *others):
        AttendeeFactory(meeting=meeting, person=person, rsvp="accepted")
    meeting_mark_done(meeting=meeting)
    return meeting


@pytest.fixture
def pursued(personas: Any, book: Any) -> Any:
    anna, ben = personas.person("rep_a1"), personas.person("rep_b1")
    small, big = AccountFactory(employees=20), AccountFactory(employees=5000)
    won = DealFactory(
        owner=anna,
        account=small,
        stage="won",
        close_value=Decimal("4000"),
        close_date=dt.date(2026, 3, 10),
    )
    lost = DealFactory(
        owner=anna,
        account=big,
        stage="lost",
        lost_at_stage="closing",
        close_date=dt.date(2026, 3, 12),
    )
    team_b = DealFactory(
        owner=ben,
        account=small,
        stage="won",
        close_value=Decimal("900"),
        close_date=dt.date(2026, 3, 11),
    )
    _held_for(won, anna, personas.person("rep_a2"), day=2)
    _held_for(lost, anna, day=3)
    _held_for(team_b, ben, anna, day=4)  # anna's time is team A's cost
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_published(AS_OF)
    return personas


def _key(panel: Any) -> tuple[Any, Any]:
    groups = [
        (g.segment, g.outcome, g.stage, g.deals, g.meetings, g.hours, g.cost) for g in panel.groups
    ]
    segments = [(s.segment, s.won_revenue, s.pursuit_cost) for s in panel.segments]
    return groups, segments


@pytest.mark.parametrize("who", ["sales_ops", "manager_a", "manager_b"])
@pytest.mark.parametrize("key", ["qtd", "mtd", "ytd", "t90"])
def test_pursuit_from_the_snapshot_equals_the_live_selector(
    pursued: Any, who: str, key: str
) -> None:
    user = getattr(pursued, who)
    as_of = figures_as_of()
    period = resolve_period(key=key, today=TODAY)
    options = dashboard_scope_options(user=user)  # as the page does first (the scope is memoised)
    with CaptureQueriesContext(connection) as alone:
        snap = pursuit_panel(user=user, period=period, as_of=as_of)
    live_period = resolve_period(key=key, today=AS_OF)
    live = pursuit_by_segment(user=user, start=live_period.start, end=live_period.end)
    assert (snap.start, snap.end) == (live.start, live.end)
    assert _key(snap) == _key(live)
    assert not snap.empty
    # Given the page's scope options, a manager's top teams come from them: one query less.
    with CaptureQueriesContext(connection) as given:
        held = pursuit_panel(user=user, period=period, as_of=as_of, options=options)
    assert _key(held) == _key(snap)
    saved = 0 if who == "sales_ops" else 1
    assert len(given.captured_queries) == len(alone.captured_queries) - saved
    # The default dashboard scope's tiles read the same night's rows of the viewer's teams: the
    # panel takes them (one query less again); a sub-team's rows are not the viewer's.
    for value, reads in (("", 0), (str(pursued.team_a_east.pk), 1)):
        if value and who != "manager_a":
            continue
        scope, roots = scope_and_roots(user, value)
        tiles = dashboard_tiles(scope=scope, period=period, as_of=as_of, roots=roots)
        assert tiles.deal_rows is not None
        with CaptureQueriesContext(connection) as reused:
            again = pursuit_panel(
                user=user, period=period, as_of=as_of, options=options, read=tiles.deal_rows
            )
        assert _key(again) == _key(snap)
        assert len(reused.captured_queries) == len(given.captured_queries) - 1 + reads


def test_pursuit_of_a_custom_range_is_live(pursued: Any) -> None:
    period = resolve_period(
        key="custom", today=TODAY, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    panel = pursuit_panel(user=pursued.sales_ops, period=period, as_of=figures_as_of())
    assert (panel.start, panel.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert {g.stage for g in panel.groups} >= {"won", "closing"}


def test_stuck_deals_from_the_snapshot(personas: Any, book: Any) -> None:
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_published(AS_OF)
    for who in ("manager_a", "sales_ops"):
        scope, roots = scope_and_roots(getattr(personas, who), "")
        as_of = figures_as_of()
        period = resolve_period(key="qtd", today=TODAY)
        tiles = dashboard_tiles(scope=scope, period=period, as_of=as_of, roots=roots)
        snap = dashboard_stuck_deals(scope=scope, as_of=as_of, tiles=tiles, roots=roots)
        live = dashboard_stuck_deals(scope=scope)
        assert snap.total == live.total == 1
        assert [d.pk for d in snap.deals] == [d.pk for d in live.deals] == [book.stuck_deal.pk]
    # Closed since the night: no longer listed (the count stays the night's).
    book.stuck_deal.stage, book.stuck_deal.close_date = "lost", TODAY
    book.stuck_deal.save()
    snap = dashboard_stuck_deals(scope=scope, as_of=as_of, tiles=tiles, roots=roots)
    assert (snap.total, list(snap.deals)) == (1, [])


def test_people_table_pages_in_the_chosen_order(
    personas: Any, book: Any, client_for: Any, settings: Any
) -> None:
    for i in range(PEOPLE_SHOWN + 30):
        PersonFactory(name=f"Extra {i:03d}", team=personas.team_b)
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_published(AS_OF)
    client = client_for(personas.sales_ops)
    first = client.get("/dashboard/", {"sort": "revenue"})
    total = first.context["people"].total_people
    pages = (total + PEOPLE_SHOWN - 1) // PEOPLE_SHOWN
    assert pages >= 2
    shown = [
        client.get("/dashboard/", {"sort": "revenue", "page": str(n)}).context["people"].rows
        for n in range(1, pages + 1)
    ]
    assert [len(rows) for rows in shown] == [PEOPLE_SHOWN] * (pages - 1) + [
        total - PEOPLE_SHOWN * (pages - 1)
    ]
    everyone = [r for rows in shown for r in rows]
    assert len({r.person_id for r in everyone}) == total
    revenue = [r.revenue for r in everyone]
    assert revenue == sorted(revenue, reverse=True)
    last = client.get("/dashboard/", {"sort": "revenue", "page": str(pages)}).content.decode()
    assert 'data-testid="people-prev"' in last and 'data-testid="people-next"' not in last
    assert f"People {PEOPLE_SHOWN * (pages - 1) + 1}–{total} of {total}" in last
    # Past the end: the first page; garbage: the first page.
    for page in ("999", "x"):
        again = client.get("/dashboard/", {"sort": "revenue", "page": page})
        assert [r.person_id for r in again.context["people"].rows] == [
            r.person_id for r in shown[0]
        ]
    by_attainment = client.get("/dashboard/", {"sort": "attainment", "page": str(pages)})
    assert len(by_attainment.context["people"].rows) == len(shown[-1])
    csv_response = client.get("/dashboard/people.csv", {"sort": "revenue"})
    assert csv_response.streaming
    lines = list(csv.reader(io.StringIO(csv_response.getvalue().decode())))
    assert len(lines) == total + 1
    assert [line[0] for line in lines[1:]] == [r.name for r in everyone]
