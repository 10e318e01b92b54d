"""Panels fed by the other apps: meeting load and cost, action items, meetings and notifications on
/me/, territory balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.panels import personal_panels
from dashboard.periods import resolve_period
from meetings.models import ActionItem, Notification
from territories.models import TerritoryAssignment
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, meeting_with
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
TODAY = dt.date(2026, 3, 20)  # the book's today


def test_meeting_load_flags_people_over_the_weekly_limit_and_prices_the_week(
    personas: Any, book: Any, client_for: Any
) -> None:
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    # The week of Mon 2026-03-16 (the book's "today" is Fri 2026-03-20); hourly cost 60 each.
    meeting_with(
        a1,
        start=dt.datetime(2026, 3, 17, 7, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 17, 16, 0, tzinfo=UTC),
        type="planning",
    )
    meeting_with(
        a1,
        a2,
        start=dt.datetime(2026, 3, 18, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 18, 11, 0, tzinfo=UTC),
        type="team",
    )
    # Next week's meeting is not this week's load.
    meeting_with(
        a2,
        start=dt.datetime(2026, 3, 24, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 24, 20, 0, tzinfo=UTC),
    )
    response = client_for(personas.manager_a).get("/dashboard/")
    load = response.context["meeting_load"]
    assert load.week_start == dt.date(2026, 3, 16)
    assert load.hours == Decimal("13.00")
    assert load.cost == Decimal("780.00")  # (9 h + 2 h) × 60 + 2 h × 60
    assert load.overloaded == [("Anna Rep", Decimal("11.00"))]
    rows = {row.name: row for row in response.context["people"].rows}
    assert rows["Anna Rep"].extra["meeting_overloaded"] is True
    assert rows["Arno Rep"].extra["meeting_hours"] == Decimal("2.00")
    html = response.content.decode()
    assert 'data-testid="overloaded"' in html and "over limit" in html
    assert 'data-testid="meetings-missing"' not in html


def test_rep_workspace_lists_upcoming_meetings_with_agendas_items_and_notifications(
    personas: Any, book: Any, client_for: Any
) -> None:
    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    upcoming = meeting_with(
        a1,
        title="Pipeline review",
        start=dt.datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 23, 10, 0, tzinfo=UTC),
    )
    AgendaItemFactory(meeting=upcoming, title="Stuck deals", minutes=20)
    meeting_with(
        a1,
        title="Last week",
        start=dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC),
    )
    meeting_with(
        b1,
        title="Team B only",
        start=dt.datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 3, 23, 10, 0, tzinfo=UTC),
    )
    ActionItemFactory(meeting=upcoming, owner=a1, description="Send the proposal")
    ActionItemFactory(meeting=upcoming, owner=b1, description="Not mine")
    Notification.objects.create(person=a1, title="Pipeline review tomorrow")
    html = client_for(personas.rep_a1).get("/me/").content.decode()
    assert "Pipeline review" in html and "Stuck deals" in html
    assert "Last week" not in html and "Team B only" not in html
    assert "Send the proposal" in html and "Not mine" not in html
    assert "Pipeline review tomorrow" in html


def test_rep_workspace_meetings_panel_reads_meetings_and_agendas_only(
    personas: Any, book: Any
) -> None:
    """The panel shows each meeting's agenda: upcoming meetings add one query (their agenda items
    with owners) to the panels, not three (attendees and action items too)."""
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    period = resolve_period(key="qtd", today=TODAY)

    def panels_and_queries() -> tuple[dict[str, Any], int]:
        with CaptureQueriesContext(connection) as queries:
            found = personal_panels(user=personas.rep_a1, person=a1, period=period, today=TODAY)
            for meeting in found["meetings"]:
                [item.owner.name for item in meeting.agenda_items.all()]
        return found, len(queries.captured_queries)

    empty, without_meetings = panels_and_queries()
    assert empty["meetings"] == []
    for day in (23, 24):
        upcoming = meeting_with(
            a1,
            a2,
            start=dt.datetime(2026, 3, day, 9, 0, tzinfo=UTC),
            end=dt.datetime(2026, 3, day, 10, 0, tzinfo=UTC),
        )
        AgendaItemFactory(meeting=upcoming, owner=a2, title=f"Agenda {day}")
        ActionItemFactory(meeting=upcoming, owner=a2)
    panels, with_meetings = panels_and_queries()
    agendas = [[item.title for item in m.agenda_items.all()] for m in panels["meetings"]]
    assert agendas == [["Agenda 23"], ["Agenda 24"]]
    assert with_meetings == without_meetings + 1


def test_a_rep_ticks_off_their_own_action_item_only(
    personas: Any, book: Any, client_for: Any
) -> None:
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    meeting = meeting_with(a2, a1)  # organised by rep_a2, who may change any of its items
    mine = ActionItemFactory(meeting=meeting, owner=a1)
    theirs = ActionItemFactory(meeting=meeting, owner=a2)
    client = client_for(personas.rep_a1)
    response = client.post(f"/me/action-items/{mine.pk}/done/")
    assert response.status_code == 302 and response["Location"].startswith("/me/")
    assert ActionItem.objects.get(pk=mine.pk).status == "done"
    assert client.post(f"/me/action-items/{theirs.pk}/done/").status_code == 403
    assert (
        client_for(personas.rep_b1).post(f"/me/action-items/{theirs.pk}/done/").status_code == 404
    )
    assert ActionItem.objects.get(pk=theirs.pk).status == "open"
    assert client_for(personas.rep_a2).get(f"/me/action-items/{theirs.pk}/done/").status_code == 405


def test_territory_balance_shows_the_active_model(
    personas: Any, book: Any, client_for: Any
) -> None:
    client = client_for(personas.sales_ops)
    assert 'data-testid="territories-inactive"' in client.get("/dashboard/").content.decode()
    model = make_model(name="FY26 territories", state="active")
    make_territory(model, "North")
    make_territory(model, "South")
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="territory-balance"' in html
    assert "North" in html and "South" in html and "FY26 territories" in html


def test_a_manager_s_territory_balance_reads_their_territories_once(
    personas: Any, book: Any, client_for: Any
) -> None:
    model = make_model(name="FY26 territories", state="active")
    north = make_territory(model, "North")
    make_territory(model, "South")
    TerritoryAssignment.objects.create(
        territory=north, person=personas.person("rep_a1"), effective_from=dt.date(2025, 1, 1)
    )
    with CaptureQueriesContext(connection) as captured:
        html = client_for(personas.manager_a).get("/dashboard/").content.decode()
    assert 'data-testid="territory-balance"' in html
    # Only the territory their people cover.
    assert '<th scope="row">North</th>' in html and '<th scope="row">South</th>' not in html
    sqls = [q["sql"] for q in captured.captured_queries]
    # The paths the user's people cover (territories.selectors.access._visible_roots).
    lookups = [q for q in sqls if q.startswith('SELECT DISTINCT "territories_territory"."path"')]
    assert len(lookups) == 1


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_attainment_pace_and_club_badges_come_from_quotas(
    personas: Any, book: Any, client_for: Any
) -> None:
    from salesops import calendar
    from tests.compensation.factories import month_quota

    p = personas.person
    for index in (1, 2, 3):
        month_quota(p("rep_a1"), calendar.month_containing(dt.date(2026, index, 15)), "10000")
        month_quota(p("rep_a2"), calendar.month_containing(dt.date(2026, index, 15)), "5000")
    month_quota(
        p("rep_a3"), calendar.month_containing(dt.date(2026, 1, 15)), "1000"
    )  # plan 1,000, credited 5,000
    response = client_for(personas.manager_a).get("/dashboard/", {"period": "qtd"})
    tile = response.context["attainment_tile"]
    # Quarter quota (whole Q1): 30,000 + 15,000 + 1,000; credited 12,000 + 5,000 + 5,000.
    assert (tile.quota, tile.credited, tile.percent) == (
        Decimal("46000"),
        Decimal("22000"),
        Decimal("47.8"),
    )
    assert tile.pace == Decimal("54.5")  # against 79 of Q1's 90 days
    rows = {row.name: row for row in response.context["people"].rows}
    assert rows["Anna Rep"].extra["attainment"] == Decimal("40.00")
    assert rows["Ava East"].extra["club"] == "chairmans"
    assert rows["Anna Rep"].extra["club"] == ""
    html = response.content.decode()
    assert "Chairman&#x27;s Club" in html or "Chairman's Club" in html
    assert 'data-testid="attainment-missing"' not in html
    me = client_for(personas.rep_a1).get("/me/", {"period": "qtd"})
    assert me.context["quota"].percent == Decimal("40.0")
    assert 'data-testid="my-attainment"' in me.content.decode()


def test_efficiency_trend_reads_daily_snapshots_of_the_team_and_its_members(
    personas: Any, book: Any, client_for: Any
) -> None:
    from django.utils import timezone

    from salesops.models import EfficiencySnapshot

    def snap(scope_type: str, scope_id: int, day: dt.date, ratio: str | None) -> None:
        EfficiencySnapshot.objects.create(
            scope_type=scope_type,
            scope_id=scope_id,
            period="t90",
            period_start=day - dt.timedelta(days=89),
            period_end=day,
            revenue=Decimal("1000"),
            cost=Decimal(0) if ratio is None else Decimal("500"),
            ratio=None if ratio is None else Decimal(ratio),
            computed_at=timezone.now(),
        )

    team_a, a1 = personas.team_a.pk, personas.person("rep_a1").pk
    snap("team", team_a, dt.date(2026, 3, 18), "180.5")
    snap("team", team_a, dt.date(2026, 3, 19), "190.25")
    snap("person", a1, dt.date(2026, 3, 19), None)
    snap("team", personas.team_b.pk, dt.date(2026, 3, 19), "999")  # not manager_a's
    snap("team", team_a, dt.date(2025, 3, 1), "50")  # older than 12 months
    response = client_for(personas.manager_a).get("/dashboard/")
    trend = response.context["trend"]
    assert trend["days"] == 2
    chart = trend["chart"]
    assert chart["labels"] == ["2026-03-18", "2026-03-19"]
    series = {s["label"]: s["values"] for s in chart["series"]}
    assert series["Team A"] == [180.5, 190.25]
    assert series["Anna Rep"] == [None, None]
    assert 999.0 not in [v for values in series.values() for v in values]
    html = response.content.decode()
    assert 'id="trend-data"' in html and "data-trend-toggles" in html
    assert 'id="monthly-data"' not in html  # the snapshot trend replaces the monthly chart
