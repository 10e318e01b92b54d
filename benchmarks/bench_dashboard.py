"""The dashboards on the seeded data set, against the minimal logged-in page.

- render time of every dashboard (the largest team's manager view, the company view, a team
  view, people.csv of the largest team) and /me/, each against the floor: the account page
  (/settings/time-zone/, a logged-in page that reads next to nothing) of the same viewer, timed in
  turns (A B A B …, median of 7); target ≤ 10×. The pages read what the nightly run computed, so
  the bench first publishes the nightly snapshots of the business date if they are missing;
- queries per page (target ≤ 25) for the manager dashboard, the CSV export, /me/ and /ops/;
- for information, the old floor: the dashboard against its own SELECTs replayed raw (a slow query
  was its own floor there, so it is no longer a target).
"""

from __future__ import annotations

import functools
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql

from benchmarks.harness import BenchContext, Result
from dashboard.deal_snapshots import deal_snapshots_replace
from dashboard.models import DealSnapshot
from dashboard.snapshots import figures_as_of
from salesops.models import Person, Role
from salesops.selectors.scope import team_subtree_ids
from salesops.services.efficiency import efficiency_run_command, nightly_business_date
from territories.models import TerritoryBalanceSnapshot
from territories.services.balance import territory_balance_snapshots_nightly

MAX_QUERIES = 25
TARGET_RATIO = 10.0
MINIMAL_PAGE = "/settings/time-zone/"
REPEAT = 7


def _largest_team(ctx: BenchContext) -> tuple[int, int]:
    """(team id, people in its subtree) of the top-level team with the most people below it."""
    rows = ctx.execute(
        """
        WITH RECURSIVE tree(root, id) AS (
            SELECT id, id FROM salesops_team WHERE parent_id IS NULL
            UNION ALL
            SELECT tree.root, t.id FROM salesops_team t JOIN tree ON t.parent_id = tree.id
        )
        SELECT tree.root, COUNT(p.id) AS people
        FROM tree JOIN salesops_person p ON p.team_id = tree.id
        GROUP BY tree.root ORDER BY people DESC, tree.root LIMIT 1
        """
    )
    if not rows:
        raise RuntimeError("no teams: seed the benchmark database first")
    return int(rows[0][0]), int(rows[0][1])


def _ops_user() -> Any:
    ops = Person.objects.filter(role=Role.SALES_OPS_MANAGER, user__isnull=False).first()
    if ops is not None:
        return ops.user
    admin = get_user_model().objects.filter(is_superuser=True).first()
    if admin is None:
        raise RuntimeError("no sales-ops or admin login in the benchmark data")
    return admin


def _viewer(team_id: int) -> Any:
    """The team's manager when they have a login (their own view), else a sales-ops login."""
    manager = (
        Person.objects.filter(managed_teams=team_id, user__isnull=False, active=True)
        .select_related("user")
        .first()
    )
    return manager.user if manager is not None else _ops_user()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def _capture(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def _replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            cursor.fetchall()


def _ensure_snapshots(ctx: BenchContext) -> None:
    """The pages read the nightly snapshots (efficiency, the dashboard's deal figures, territory
    balance): publish the night's if they are not there, as the nightly jobs would have."""
    as_of = figures_as_of()
    wanted = nightly_business_date()
    if as_of is None or as_of.day < wanted:
        ctx.log(f"publishing the nightly snapshots of {wanted} (the pages read them)")
        start = time.perf_counter()
        efficiency_run_command(as_of=wanted)
        ctx.log(f"  published in {time.perf_counter() - start:.1f} s")
    if not DealSnapshot.objects.filter(as_of=wanted).exists():
        start = time.perf_counter()
        rows = deal_snapshots_replace(as_of=wanted)
        ctx.log(
            f"deal snapshot of {wanted} (funnel, win rates, pipeline, pursuit counts): {rows} "
            f"rows in {time.perf_counter() - start:.1f} s"
        )
    if not TerritoryBalanceSnapshot.objects.filter(as_of=wanted).exists():
        start = time.perf_counter()
        rows = territory_balance_snapshots_nightly(as_of=wanted)
        ctx.log(
            f"territory balance snapshot of {wanted}: {rows} rows in "
            f"{time.perf_counter() - start:.1f} s"
        )


def _pages(ctx: BenchContext) -> list[tuple[str, Any, str, str]]:
    """(name, viewer, page url, note) of every page measured against the minimal page."""
    team_id, people = _largest_team(ctx)
    manager = _viewer(team_id)
    ops = _ops_user()
    total = Person.objects.count()
    rep = (
        Person.objects.filter(team_id__in=team_subtree_ids([team_id]), user__isnull=False)
        .exclude(role__in=[Role.SALES_MANAGER, Role.SALES_OPS_MANAGER])
        .select_related("user")
        .first()
    )
    if rep is None:
        rep = Person.objects.filter(user__isnull=False, role=Role.ACCOUNT_EXECUTIVE).first()
    pages = [
        ("manager, default (QTD)", manager, "/dashboard/", f"largest team: {people} people"),
        ("manager, YTD", manager, f"/dashboard/?team={team_id}&period=ytd", f"{people} people"),
        (
            "manager, YTD by ratio",
            manager,
            "/dashboard/?period=ytd&sort=ratio",
            f"{people} people",
        ),
        ("company, YTD", ops, "/dashboard/?period=ytd", f"{total} people"),
        ("company, trailing 90 days", ops, "/dashboard/?period=t90", f"{total} people"),
        (
            "people.csv, largest team YTD",
            manager,
            f"/dashboard/people.csv?team={team_id}&period=ytd",
            f"{people} rows",
        ),
    ]
    if rep is not None and rep.user is not None:
        pages.append(("/me/ (rep)", rep.user, "/me/", "a rep's workspace"))
    return pages


def _minimal_viewer(user: Any) -> Any:
    """The minimal page needs a person (it is their settings): the viewer, else any person."""
    if Person.objects.filter(user=user).exists():
        return user
    other = Person.objects.filter(user__isnull=False).select_related("user").first()
    if other is None or other.user is None:
        raise RuntimeError("no login with a person in the benchmark data")
    return other.user


def _seq_scans_on_deals(client: Client, url: str) -> list[str]:
    """The page's SELECTs whose plan (EXPLAIN, same data, same settings) reads salesops_deal with a
    sequential scan: the first lines of each."""
    _, statements = _capture(client, url)
    found = []
    with connection.cursor() as cursor:
        for statement in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT")):
                continue
            # The captured text is the page's own statement, its values already quoted by the
            # driver; it runs again under EXPLAIN with no parameters.
            cursor.execute(sql.SQL("EXPLAIN {}").format(sql.SQL(statement)))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Seq Scan on salesops_deal " in plan or plan.rstrip().endswith(
                "Seq Scan on salesops_deal"
            ):
                found.append(" ".join(statement.split())[:140])
    return found


def run(ctx: BenchContext) -> list[Result]:
    _ensure_snapshots(ctx)
    results: list[Result] = []
    for name, user, url, _note in _pages(ctx):
        scans = _seq_scans_on_deals(_client(user), url)
        for scan in scans:
            ctx.log(f"{name}: Seq Scan on salesops_deal in: {scan}")
        results.append(
            Result(
                f"dashboard: {name}, queries with a Seq Scan on deals",
                float(len(scans)),
                unit="queries",
                target=0,
                note="EXPLAIN of every query of the page on the bench data; "
                + ("; ".join(scans) if scans else "none"),
            )
        )
    for name, user, url, note in _pages(ctx):
        client = _client(user)
        floor_client = _client(_minimal_viewer(user))
        _get(client, url)  # warm caches and the session
        _get(floor_client, MINIMAL_PAGE)
        page, floor = ctx.median_in_turns(
            (functools.partial(_get, client, url), None),
            (functools.partial(_get, floor_client, MINIMAL_PAGE), None),
            repeat=REPEAT,
        )
        ctx.log(f"{name}: {page * 1000:.0f} ms vs minimal page {floor * 1000:.0f} ms")
        results.append(
            Result(
                f"dashboard: {name} vs minimal page",
                page,
                floor=floor,
                target=TARGET_RATIO,
                note=f"{url}; {note}; floor {MINIMAL_PAGE}; median of {REPEAT} in turns",
                details={"url": url},
            )
        )

    team_id, people = _largest_team(ctx)
    manager = _viewer(team_id)
    client = _client(manager)
    url = f"/dashboard/?team={team_id}&period=ytd"
    _get(client, url)
    n, statements = _capture(client, url)
    results.append(
        Result(
            "dashboard.queries_per_page",
            float(n),
            unit="queries",
            target=MAX_QUERIES,
            note=f"manager dashboard of the largest team ({people} people)",
        )
    )
    others: list[tuple[str, str, Any]] = [
        ("dashboard.queries_csv", url.replace("/dashboard/?", "/dashboard/people.csv?"), manager),
        ("dashboard.queries_ops", "/ops/", _ops_user()),
    ]
    me = next((p for p in _pages(ctx) if p[2] == "/me/"), None)
    if me is not None:
        others.append(("dashboard.queries_me", "/me/", me[1]))
    for name, other_url, viewer in others:
        other = _client(viewer)
        _get(other, other_url)
        count, _ = _capture(other, other_url)
        results.append(Result(name, float(count), unit="queries", target=MAX_QUERIES))

    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    page, replay = ctx.median_in_turns(
        (lambda: _get(client, url), None), (lambda: _replay(selects), None), repeat=REPEAT
    )
    results.append(
        Result(
            "dashboard.render_vs_sql (old floor)",
            page,
            floor=replay,
            kind="info",
            note="info only: the page against its own SELECTs replayed raw (a slow query is its "
            "own floor there); the target is the minimal page above",
            details={"statements": len(selects), "measured_at": time.time()},
        )
    )
    return results
