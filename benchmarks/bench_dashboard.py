"""The dashboard of the largest team on the seeded data set.

- queries per page (target ≤ 25) for the manager dashboard, the CSV export, /me/ and /ops/;
- the dashboard's full render time (request → response, through Django's test client) against its
  floor: the same SQL statements the page ran, replayed raw on one cursor (target ≤ 1.5×).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.harness import BenchContext, Result
from salesops.models import Person, Role
from salesops.selectors.scope import team_subtree_ids

MAX_QUERIES = 25
TARGET_RATIO = 1.5


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


def _viewer(team_id: int) -> tuple[Any, str]:
    """The team's manager when they have a login (their own view), else a sales-ops login."""
    manager = (
        Person.objects.filter(managed_teams=team_id, user__isnull=False, active=True)
        .select_related("user")
        .first()
    )
    if manager is not None:
        return manager.user, f"/dashboard/?team={team_id}&period=ytd"
    return _ops_user(), f"/dashboard/?team={team_id}&period=ytd"


def _capture(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def _replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def run(ctx: BenchContext) -> list[Result]:
    team_id, people = _largest_team(ctx)
    user, url = _viewer(team_id)
    ctx.log(f"largest team {team_id}: {people} people; viewer {user}")
    client = Client()
    client.force_login(user)
    client.get(url)  # warm caches and the session

    results: list[Result] = []
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
    rep = (
        Person.objects.filter(team_id__in=team_subtree_ids([team_id]), user__isnull=False)
        .exclude(role__in=[Role.SALES_MANAGER, Role.SALES_OPS_MANAGER])
        .select_related("user")
        .first()
    )
    others: list[tuple[str, str, Any]] = [
        ("dashboard.queries_csv", url.replace("/dashboard/?", "/dashboard/people.csv?"), user),
        ("dashboard.queries_ops", "/ops/", _ops_user()),
    ]
    if rep is not None:
        others.append(("dashboard.queries_me", "/me/", rep.user))
    for name, other_url, viewer in others:
        other = Client()
        other.force_login(viewer)
        other.get(other_url)
        count, _ = _capture(other, other_url)
        results.append(Result(name, float(count), unit="queries", target=MAX_QUERIES))

    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    page = ctx.timed(lambda: client.get(url), repeat=5)
    floor = ctx.timed(lambda: _replay(selects), repeat=5)
    results.append(
        Result(
            "dashboard.render_vs_sql",
            page,
            floor=floor,
            target=TARGET_RATIO,
            note="full request/response vs its SELECTs replayed raw",
            details={"statements": len(selects), "measured_at": time.time()},
        )
    )
    return results
