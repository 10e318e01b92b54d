"""Step 1 of a nightly run: keep the per-person-per-day and per-team-per-day aggregates current.

Revenue comes from the one credit rule (`CREDIT_SQL`); won deals count the deals a person won as
owner (so a team's count is the number of distinct deals, never double-counted across a split);
cost is the ledger. Each person-day row also stores the team the person was in that day
(TeamMembership, else the current Person.team).

Work is split into partitions (a root team's subtree, or "none" for people without a team), so
several workers can refresh partitions in parallel; "all" is every partition at once. A partition
refresh is idempotent and holds an advisory lock on its name.

Incremental refresh (per partition watermark, kept in EfficiencyCursor):
- (person, day) pairs touched since the watermark: deals and costs with `updated_at` after it
  (new values), plus rows the database triggers wrote to EfficiencyDirty (old values of updates
  and deletes);
- people whose Person or TeamMembership rows changed (team, role): all of their days.
The watermark is the refresh transaction's start minus EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS,
so a writer that committed late is still seen. Re-reading a pair twice is harmless.
Every day whose aggregates changed is recorded in EfficiencyPendingDay for the snapshot step.

The tables hold the days from a horizon on (the `horizon` cursor; none: every day): a full
rebuild of everyone starts at the first day the run's business date reads
(periods.state_horizon), since later dates never read earlier days; every other refresh keeps to
the recorded horizon. A run for an older date rebuilds in full (efficiency_snapshots_compute).
The person days before the day horizon (the `day-horizon` cursor, periods.day_state_horizon)
are kept per person, fiscal month and team of the day (salesops_efficiencypersonmonth), since no
run reads them but as whole closed months: a touched day there re-aggregates its person-month.

The SQL it runs is composed in person_days.py; what the tables were built under (horizon, credit
rule) is cursors.py; the lock and settings of an engine transaction are db.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from psycopg2 import sql

from salesops.services.efficiency.cursors import (
    credit_rule_record,
    day_horizon_recorded,
    horizon_record,
    horizon_recorded,
)
from salesops.services.efficiency.db import execute, fetch, lock_and_configure
from salesops.services.efficiency.periods import state_months
from salesops.services.efficiency.person_days import (
    CHANGED_PEOPLE,
    EVERYONE,
    IN_PARTITION,
    from_horizon,
    full_sources,
    only,
    pair_sources,
    pending,
    person_day_key_drop,
    person_day_key_restore,
    person_day_select,
    state_months_table,
    state_write,
    team_day_insert,
)
from salesops.services.efficiency.touched import (
    CHANGED_PEOPLE_SQL,
    TOUCHED_MONTHS_EXPAND_SQL,
    TOUCHED_MONTHS_SQL,
    TOUCHED_SQL,
    TOUCHED_TEAMS_SQL,
)

# Names other modules import from here.
__all__ = [
    "ALL",
    "NO_TEAM",
    "DeferredPersonDays",
    "Partition",
    "RefreshResult",
    "daily_refresh",
    "partition_names",
    "partition_resolve",
]

ALL = "all"
NO_TEAM = "none"
TEAM_PREFIX = "team:"


@dataclass(frozen=True)
class Partition:
    name: str
    # None: every person / every team.
    person_ids: list[int] | None
    team_ids: list[int] | None


@dataclass(frozen=True)
class DeferredPersonDays:
    """A full refresh of everyone left for the publish to aggregate into person days and keep
    (person_days.state_ctes) as part of its own statement (see snapshots_publish): the
    statement's parameters, `horizon` (where its sources start) and `day_horizon`."""

    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefreshResult:
    partition: str
    full: bool
    person_days: int
    team_days: int
    # A deferred full refresh: the person days are aggregated and kept by the caller's publish
    # statement (in the same transaction); person_days is then 0.
    person_days_insert: DeferredPersonDays | None = None


def _overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS", 300))


def partition_names() -> list[str]:
    """One partition per root team subtree, plus 'none' for people without a team."""
    roots = [
        row[0] for row in fetch("SELECT id FROM salesops_team WHERE parent_id IS NULL ORDER BY id")
    ]
    return [*(f"{TEAM_PREFIX}{root}" for root in roots), NO_TEAM]


PARTITION_SQL = """
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM salesops_team WHERE id = %s
        UNION SELECT t.id FROM salesops_team t JOIN subtree s ON t.parent_id = s.id
    )
    SELECT (SELECT COALESCE(array_agg(id), '{}') FROM subtree),
           (SELECT COALESCE(array_agg(p.id), '{}') FROM salesops_person p
            WHERE p.team_id IN (SELECT id FROM subtree))
"""


def partition_resolve(name: str) -> Partition:
    if name == ALL:
        return Partition(name=ALL, person_ids=None, team_ids=None)
    if name == NO_TEAM:
        (person_ids,) = fetch(
            "SELECT COALESCE(array_agg(id), '{}') FROM salesops_person WHERE team_id IS NULL"
        )[0]
        return Partition(name=name, person_ids=list(person_ids), team_ids=[])
    if not name.startswith(TEAM_PREFIX):
        raise ValueError(f"unknown partition '{name}'")
    team_ids, person_ids = fetch(PARTITION_SQL, [int(name.removeprefix(TEAM_PREFIX))])[0]
    return Partition(name=name, person_ids=list(person_ids), team_ids=list(team_ids))


@transaction.atomic
def daily_refresh(
    *,
    partition: Partition,
    full: bool,
    horizon: date | None = None,
    day_horizon: date | None = None,
    defer_person_days: bool = False,
) -> RefreshResult:
    """Refresh the aggregates of one partition (incrementally unless `full` or first time).

    `horizon`: for a full refresh of every person, the first day to keep (None: every day), and
    `day_horizon` the first kept per day (the days before it are kept per month; None: every
    day per day), recorded for the refreshes that follow; every other refresh keeps to the
    recorded ones.
    `defer_person_days`: when this turns out to be a full refresh of every person, leave the
    person-day INSERT to the caller (RefreshResult.person_days_insert), who must run it in the
    same transaction and then call person_day_key_restore(); see snapshots_publish.
    """
    lock_and_configure(partition.name)
    cursor_name = f"daily:{partition.name}"
    rows = fetch("SELECT watermark FROM salesops_efficiencycursor WHERE name = %s", [cursor_name])
    if not rows:
        full = True
    if horizon is None or day_horizon is None or day_horizon <= horizon:
        day_horizon = None
    if full and partition.person_ids is None:
        horizon_record(horizon, day_horizon)
        credit_rule_record()
    else:
        horizon, day_horizon = horizon_recorded(), day_horizon_recorded()
    months = [] if horizon is None or day_horizon is None else state_months(horizon, day_horizon)
    state_months_table([(m.start, m.end) for m in months])
    if full and partition.person_ids is None:
        result = _refresh_everyone(horizon, day_horizon, defer_person_days=defer_person_days)
    elif full:
        result = _refresh_partition(partition, horizon, day_horizon)
    else:
        result = _refresh_incremental(
            partition, horizon, day_horizon, since=rows[0][0] - _overlap()
        )
    execute(
        """
        INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%(name)s, now())
        ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark
        """,
        {"name": cursor_name},
    )
    return result


def _refresh_everyone(
    horizon: date | None, day_horizon: date | None, *, defer_person_days: bool
) -> RefreshResult:
    params = {"horizon": horizon, "day_horizon": day_horizon}
    # Everything: the snapshot step recomputes every period, no pending days needed.
    # (TRUNCATE already holds the table exclusively until commit; so does the key's DDL.)
    execute(
        "TRUNCATE salesops_efficiencypersonday, salesops_efficiencypersonmonth, "
        "salesops_efficiencyteamday"
    )
    person_day_key_drop()
    execute("DELETE FROM salesops_efficiencydirty")
    # The publish that follows a full refresh rebuilds every plug-in scope's days too.
    execute("DELETE FROM salesops_efficiencyscopependingday")
    teams = execute(
        team_day_insert(
            sql.SQL("FROM salesops_salescost c WHERE c.team_id IS NOT NULL{}").format(
                from_horizon("c.date", horizon)
            )
        ),
        params,
    )
    if defer_person_days:
        insert = DeferredPersonDays(params)
        return RefreshResult(ALL, True, 0, teams, person_days_insert=insert)
    persons = state_write(person_day_select(full_sources(EVERYONE, horizon)), params, record=False)
    person_day_key_restore()
    return RefreshResult(ALL, True, persons, teams)


def _refresh_partition(
    partition: Partition, horizon: date | None, day_horizon: date | None
) -> RefreshResult:
    params: dict[str, object] = {
        "ids": partition.person_ids,
        "horizon": horizon,
        "day_horizon": day_horizon,
    }
    # The kept days and months of these people are pending (a month by its first day).
    for state in (
        "DELETE FROM salesops_efficiencypersonday WHERE person_id = ANY(%(ids)s) RETURNING day",
        "DELETE FROM salesops_efficiencypersonmonth WHERE person_id = ANY(%(ids)s) "
        "RETURNING month AS day",
    ):
        execute(pending(sql.SQL(state)), params)
    execute("DELETE FROM salesops_efficiencydirty WHERE person_id = ANY(%(ids)s)", params)
    sources = full_sources(IN_PARTITION, horizon)
    persons = state_write(person_day_select(sources), params, record=True)
    team_params: dict[str, object] = {"ids": partition.team_ids, "horizon": horizon}
    execute(
        pending(
            sql.SQL(
                "DELETE FROM salesops_efficiencyteamday WHERE team_id = ANY(%(ids)s) RETURNING day"
            )
        ),
        team_params,
    )
    execute("DELETE FROM salesops_efficiencydirty WHERE team_id = ANY(%(ids)s)", team_params)
    teams = execute(
        pending(
            team_day_insert(
                sql.SQL("FROM salesops_salescost c WHERE c.team_id = ANY(%(ids)s){}").format(
                    from_horizon("c.date", horizon)
                ),
                returning=True,
            )
        ),
        team_params,
    )
    return RefreshResult(partition.name, True, persons, teams)


def _refresh_incremental(
    partition: Partition, horizon: date | None, day_horizon: date | None, *, since: object
) -> RefreshResult:
    pids = partition.person_ids
    params: dict[str, object] = {
        "since": since,
        "ids": pids,
        "horizon": horizon,
        "day_horizon": day_horizon,
    }
    # People whose team or role may have changed: all of their days.
    execute(
        "DROP TABLE IF EXISTS _eff_people, _eff_touched, _eff_touched_team, _eff_touched_months"
    )
    execute(
        CHANGED_PEOPLE_SQL.format(people=only("p.id", pids), members=only("m.person_id", pids)),
        params,
    )
    execute("ANALYZE _eff_people")
    # Every day of these people: probes of the (day, person) key over the calendar the table
    # spans (a few changed people: milliseconds, where a scan of every row takes a tenth of a
    # second); the planner turns to a scan when many people changed. Their months: a scan of
    # the month table (no index; ~100k rows at 5,000 people). A month is pending by its first day.
    execute(
        pending(
            sql.SQL(
                "DELETE FROM salesops_efficiencypersonday pd USING _eff_people e, ("
                "SELECT generate_series(min(day), max(day), interval '1 day')::date AS day "
                "FROM salesops_efficiencypersonday) c "
                "WHERE pd.day = c.day AND pd.person_id = e.person_id RETURNING pd.day"
            )
        )
    )
    execute(
        pending(
            sql.SQL(
                "DELETE FROM salesops_efficiencypersonmonth pm USING _eff_people e "
                "WHERE pm.person_id = e.person_id RETURNING pm.month AS day"
            )
        )
    )
    sources = full_sources(CHANGED_PEOPLE, horizon)
    persons = state_write(person_day_select(sources), params, record=True)

    # (person, day) pairs touched since the watermark, minus the people refreshed above.
    execute(
        TOUCHED_SQL.format(
            dirty=only("x.person_id", pids),
            splits=only("s.person_id", pids),
            owners=only("d.owner_id", pids),
            costs=only("c.person_id", pids),
            horizon=from_horizon("day", horizon),
        ),
        params,
    )
    execute("ANALYZE _eff_touched")
    execute(
        pending(
            sql.SQL(
                "DELETE FROM salesops_efficiencypersonday pd USING _eff_touched t "
                "WHERE pd.person_id = t.person_id AND pd.day = t.day "
                # The touched days' range of the (day, person) key, not a scan of every day.
                "AND pd.day BETWEEN (SELECT min(day) FROM _eff_touched) "
                "AND (SELECT max(day) FROM _eff_touched) RETURNING pd.day"
            )
        )
    )
    # Days of touched pairs are pending even when no row existed before or after.
    execute(pending(sql.SQL("SELECT day FROM _eff_touched")))
    execute(TOUCHED_MONTHS_SQL)
    execute(
        "DELETE FROM salesops_efficiencypersonmonth pm USING _eff_touched_months tm "
        "WHERE pm.person_id = tm.person_id AND pm.month = tm.month"
    )
    if execute(TOUCHED_MONTHS_EXPAND_SQL):
        execute("ANALYZE _eff_touched")
    persons += state_write(person_day_select(pair_sources()), params, record=False)

    tids = partition.team_ids
    team_params: dict[str, object] = {"since": since, "ids": tids, "horizon": horizon}
    execute(
        TOUCHED_TEAMS_SQL.format(
            dirty=only("x.team_id", tids),
            costs=only("c.team_id", tids),
            horizon=from_horizon("day", horizon),
        ),
        team_params,
    )
    execute(
        "DELETE FROM salesops_efficiencyteamday td USING _eff_touched_team t "
        "WHERE td.team_id = t.team_id AND td.day = t.day"
    )
    execute(pending(sql.SQL("SELECT day FROM _eff_touched_team")))
    teams = execute(
        team_day_insert(
            sql.SQL(
                "FROM _eff_touched_team t "
                "JOIN salesops_salescost c ON c.team_id = t.team_id AND c.date = t.day"
            )
        )
    )
    return RefreshResult(partition.name, False, persons, teams)
