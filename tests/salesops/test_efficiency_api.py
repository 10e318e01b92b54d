"""The efficiency API and selectors: who sees which snapshot, filters, trend, magic number,
effectiveness, and the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q

from dashboard.panels import TREND_PERIOD
from salesops.models import EfficiencySnapshot
from salesops.selectors.efficiency import efficiency_trend
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.salesops.test_efficiency_support import cost, won

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 4, 10)
URL = "/api/v1/efficiency/"


@pytest.fixture
def computed(personas):
    for name in ("rep_a1", "rep_a2", "rep_a3", "rep_b1", "outsider", "manager_a"):
        person = personas.person(name)
        won(person, "1000", dt.date(2026, 3, 5))
        cost("500", dt.date(2026, 3, 5), person=person)
    efficiency_snapshots_compute(as_of=AS_OF)
    return personas


def _march_month_scopes(client):
    response = client.get(URL, {"period": "month", "period_start": "2026-03-01"})
    assert response.status_code == 200
    return {(r["scope_type"], r["scope_id"], r["scope_key"]) for r in response.json()["results"]}


def test_sales_ops_and_admin_see_every_scope(computed, api_client_for):
    p = computed
    for user in (p.admin, p.sales_ops):
        scopes = _march_month_scopes(api_client_for(user))
        assert ("company", 0, "") in scopes
        assert ("role", 0, "sdr") in scopes
        assert ("team", p.team_c.pk, "") in scopes
        assert ("person", p.person("outsider").pk, "") in scopes


def test_manager_sees_own_people_and_teams_down_the_hierarchy_only(computed, api_client_for):
    p = computed
    scopes = _march_month_scopes(api_client_for(p.manager_a))
    expected_people = {p.person(n).pk for n in ("manager_a", "rep_a1", "rep_a2", "rep_a3")}
    assert scopes == {("person", pk, "") for pk in expected_people} | {
        ("team", p.team_a.pk, ""),
        ("team", p.team_a_east.pk, ""),
    }


@pytest.mark.parametrize("name", ["rep_a1", "rep_b1", "outsider"])
def test_rep_sees_only_their_own_person_rows(computed, api_client_for, name):
    scopes = _march_month_scopes(api_client_for(getattr(computed, name)))
    assert scopes == {("person", computed.person(name).pk, "")}


def test_snapshot_outside_scope_is_not_listed_and_writes_are_refused(computed, api_client_for):
    """A snapshot is addressed by its natural key through the list's filters (there is no detail
    route: the primary key is the natural key); one outside the reader's scope is not there."""
    p = computed
    b1 = p.person("rep_b1").pk
    other = {"scope_type": "person", "scope_id": b1, "period": "month", "as_of": "2026-03-31"}
    assert api_client_for(p.rep_a1).get(URL, other).json()["results"] == []
    seen = api_client_for(p.rep_b1).get(URL, other).json()["results"]
    assert [(r["scope_id"], r["period_start"]) for r in seen] == [(b1, "2026-03-01")]
    assert api_client_for(p.rep_b1).get(f"{URL}1/").status_code == 404
    assert api_client_for(p.sales_ops).delete(URL).status_code == 405
    assert api_client_for(p.sales_ops).post(URL, {}).status_code == 405
    assert api_client_for(None).get(URL).status_code in (401, 403)


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_list_shows_ratio_with_one_decimal_and_dash_for_undefined(computed, api_client_for):
    p = computed
    won(p.person("rep_a1"), "99", dt.date(2026, 4, 10))
    efficiency_snapshots_compute(as_of=AS_OF)
    client = api_client_for(p.rep_a1)
    month = client.get(URL, {"period": "month", "as_of": "2026-03-31"}).json()["results"]
    assert [(r["ratio"], r["ratio_display"]) for r in month] == [("200.0000", "200.0")]
    day = client.get(URL, {"period": "day", "as_of": "2026-04-10"}).json()["results"]
    assert [(r["ratio"], r["ratio_display"]) for r in day] == [(None, "—")]


def test_trend_is_a_daily_series_in_date_order(computed, api_client_for):
    p = computed
    for day in (dt.date(2026, 4, 8), dt.date(2026, 4, 9)):
        efficiency_snapshots_compute(as_of=day)
    response = api_client_for(p.sales_ops).get(
        f"{URL}trend/", {"scope_type": "company", "start": "2026-04-01"}
    )
    assert response.status_code == 200
    assert [r["period_end"] for r in response.json()] == ["2026-04-08", "2026-04-09", "2026-04-10"]
    hidden = api_client_for(p.rep_a1).get(f"{URL}trend/", {"scope_type": "company"})
    assert hidden.json() == []
    assert api_client_for(p.rep_a1).get(f"{URL}trend/").status_code == 400


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_magic_number_worked_example(personas, api_client_for):
    rep = personas.person("rep_a1")
    won(rep, "100000", dt.date(2026, 2, 10))
    cost("120000", dt.date(2026, 2, 10), person=rep)
    won(rep, "130000", dt.date(2026, 5, 10))
    efficiency_snapshots_compute(as_of=dt.date(2026, 7, 15))
    rows = (
        api_client_for(personas.sales_ops)
        .get(f"{URL}magic-number/", {"scope_type": "team", "scope_id": personas.team_a.pk})
        .json()
    )
    q2 = [r for r in rows if r["quarter_start"] == "2026-04-01"]
    assert q2 == [
        {
            "scope_type": "team",
            "scope_id": personas.team_a.pk,
            "quarter_start": "2026-04-01",
            "quarter_end": "2026-06-30",
            "revenue": "130000.000000",
            "previous_revenue": "100000.000000",
            "previous_cost": "120000.00",
            "value": "1.0000",
            "band": "moderate",
            "increase_for_moderate": "22500.00",
        }
    ]
    company = api_client_for(personas.admin).get(f"{URL}magic-number/", {"scope_type": "company"})
    assert {r["value"] for r in company.json() if r["quarter_start"] == "2026-04-01"} == {"1.0000"}
    assert api_client_for(personas.rep_a1).get(f"{URL}magic-number/").json() == []


def test_effectiveness_conversion_and_win_rate(personas, api_client_for):
    from tests.factories import DealFactory

    rep = personas.person("rep_a3")
    day = dt.date(2026, 3, 1)
    for stage, lost_at in [
        ("won", ""),
        ("won", ""),
        ("lost", "presentation"),
        ("lost", "prospecting"),
        ("closing", ""),
        ("needs_assessment", ""),
    ]:
        DealFactory(
            owner=rep,
            stage=stage,
            lost_at_stage=lost_at,
            engage_date=day,
            close_date=day if stage in ("won", "lost") else None,
            close_value=Decimal(1) if stage == "won" else None,
        )
    rows = (
        api_client_for(personas.manager_a)
        .get(f"{URL}effectiveness/", {"group_by": "person", "start": "2026-01-01"})
        .json()
    )
    assert [r["scope_id"] for r in rows] == [rep.pk]
    row = rows[0]
    assert (row["deals"], row["won"], row["lost"], row["win_rate"]) == (6, 2, 2, "50.0000")
    reached = [(c["from_stage"], c["reached"], c["advanced"]) for c in row["conversions"]]
    assert reached == [
        ("prospecting", 6, 5),
        ("needs_assessment", 5, 4),
        ("presentation", 4, 3),
        ("objection_handling", 3, 3),
        ("closing", 3, 2),
    ]
    teams = (
        api_client_for(personas.manager_a).get(f"{URL}effectiveness/", {"group_by": "team"}).json()
    )
    assert {r["scope_id"]: r["deals"] for r in teams} == {
        personas.team_a.pk: 6,
        personas.team_a_east.pk: 6,
    }
    assert api_client_for(personas.rep_b1).get(f"{URL}effectiveness/").json() == []


def test_schema_documents_the_efficiency_endpoints(api_client_for, personas):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/efficiency/",
        "/api/v1/efficiency/trend/",
        "/api/v1/efficiency/magic-number/",
        "/api/v1/efficiency/effectiveness/",
    ):
        assert "get" in paths[path]
    params = {p["name"] for p in paths["/api/v1/efficiency/"]["get"]["parameters"]}
    assert {"scope_type", "scope_id", "period", "as_of"} <= params


def test_command_backfills_a_range_of_business_dates(personas):
    won(personas.person("rep_a1"), "10", dt.date(2026, 4, 2))
    call_command(
        "compute_efficiency",
        "--as-of",
        "2026-04-03",
        "--backfill-from",
        "2026-04-01",
        "--full",
        verbosity=0,
    )
    days = EfficiencySnapshot.objects.filter(scope_type="company", period="day")
    assert sorted(days.values_list("period_end", flat=True)) == [
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 2),
        dt.date(2026, 4, 3),
    ]
    assert days.get(period_end=dt.date(2026, 4, 2)).revenue == 10


ADMIN_SNAPSHOTS = "/admin/salesops/efficiencycursor/snapshots/"


def test_the_admin_lists_snapshots_read_only_with_filters(computed, client_for):
    """The Django admin cannot register a model keyed by a composite primary key: the snapshots
    are browsed through a read-only view of the cursors' admin, linked from its list."""
    p = computed
    b1 = p.person("rep_b1").pk
    client = client_for(p.admin)
    assert (
        "Browse efficiency snapshots"
        in client.get("/admin/salesops/efficiencycursor/").content.decode()
    )
    page = client.get(ADMIN_SNAPSHOTS, {"scope_type": "person", "scope_id": b1, "period": "month"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows and {(r.scope_type, r.scope_id, r.period) for r, _ratio in rows} == {
        ("person", b1, "month")
    }
    role = p.person("rep_b1").role
    roles = client.get(ADMIN_SNAPSHOTS, {"scope_type": "role", "scope_key": role})
    assert roles.status_code == 200
    assert {(r.scope_type, r.scope_key) for r, _ratio in roles.context["rows"]} == {("role", role)}
    huge = client.get(ADMIN_SNAPSHOTS, {"scope_id": "9" * 40})
    assert huge.status_code == 200 and huge.context["rows"] == []
    bad = client.get(ADMIN_SNAPSHOTS, {"as_of": "not a date"})
    assert bad.status_code == 200 and bad.context["form"].errors["as_of"]
    assert client_for(p.rep_b1).get(ADMIN_SNAPSHOTS).status_code in (302, 403)


def test_series_reads_can_use_the_key_and_the_trailing_90_day_index(computed):
    """The snapshot table keeps two indexes (migration 0019): the trend of several scopes (the
    dashboards' TREND_PERIOD) reads the partial index of the t90 rows, one scope's series of any
    period the primary key. Sequential scans are off so the tiny test table shows which index the
    query can use at all."""
    p = computed
    person = p.person("rep_a1").pk
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        trend = EfficiencySnapshot.objects.filter(
            Q(scope_type="person", scope_id__in=[person]) | Q(scope_type="company", scope_id=0),
            period=TREND_PERIOD,
            scope_key="",
            period_end__gt=AS_OF - dt.timedelta(days=365),
            period_end__lte=AS_OF,
        ).values_list("scope_type", "scope_id", "period_end", "ratio")
        assert "efficiency_t90_series" in trend.explain()
        daily = efficiency_trend(user=p.admin, scope_type="person", scope_id=person)
        assert "salesops_efficiencysnapshot_pkey" in daily.explain()
