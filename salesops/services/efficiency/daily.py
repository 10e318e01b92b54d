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

Past ~400 lines: one step (full, partition and incremental refresh share their SQL pieces and
locks), measured as a whole by `make bench` efficiency.full and efficiency.incremental.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from psycopg2.extensions import adapt

from salesops.selectors.credit import CREDIT_SQL, credit_sql_where

ALL = "all"
NO_TEAM = "none"
TEAM_PREFIX = "team:"
HORIZON_CURSOR = "horizon"
# Which won deals credit (salesops.selectors.credit.credit_sql_where): the per-day rows were built
# under the rule named in the cursor "credit-rule:<rule>"; another rule needs a full rebuild.
CREDIT_RULE_PREFIX = "credit-rule:"


@dataclass(frozen=True)
class Partition:
    name: str
    # None: every person / every team.
    person_ids: list[int] | None
    team_ids: list[int] | None


@dataclass(frozen=True)
class RefreshResult:
    partition: str
    full: bool
    person_days: int
    team_days: int
    # A deferred full refresh: the person days are written by this INSERT … RETURNING, which the
    # caller runs (in the same transaction) as part of the publish; person_days is then 0.
    person_days_insert: str | None = None


def _overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS", 300))


def partition_names() -> list[str]:
    """One partition per root team subtree, plus 'none' for people without a team."""
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM salesops_team WHERE parent_id IS NULL ORDER BY id")
        roots = [row[0] for row in cur.fetchall()]
    return [*(f"{TEAM_PREFIX}{root}" for root in roots), NO_TEAM]


def partition_resolve(name: str) -> Partition:
    if name == ALL:
        return Partition(name=ALL, person_ids=None, team_ids=None)
    if name == NO_TEAM:
        sql = "SELECT COALESCE(array_agg(id), '{}') FROM salesops_person WHERE team_id IS NULL"
        with connection.cursor() as cur:
            cur.execute(sql)
            return Partition(name=name, person_ids=list(cur.fetchone()[0]), team_ids=[])
    if not name.startswith(TEAM_PREFIX):
        raise ValueError(f"unknown partition '{name}'")
    root = int(name.removeprefix(TEAM_PREFIX))
    sql = """
        WITH RECURSIVE subtree(id) AS (
            SELECT id FROM salesops_team WHERE id = %s
            UNION SELECT t.id FROM salesops_team t JOIN subtree s ON t.parent_id = s.id
        )
        SELECT (SELECT COALESCE(array_agg(id), '{}') FROM subtree),
               (SELECT COALESCE(array_agg(p.id), '{}') FROM salesops_person p
                WHERE p.team_id IN (SELECT id FROM subtree))
    """
    with connection.cursor() as cur:
        cur.execute(sql, [root])
        team_ids, person_ids = cur.fetchone()
    return Partition(name=name, person_ids=list(person_ids), team_ids=list(team_ids))


def _filter(column: str, ids: list[int] | None) -> str:
    """An extra WHERE clause restricting `column` to the partition (parameter %(ids)s)."""
    return "" if ids is None else f" AND {column} = ANY(%(ids)s)"


def _since(column: str, horizon: date | None) -> str:
    """An extra WHERE clause keeping the days of `column` from the horizon on. The fragment is
    embedded in statements composed before their parameters are known (the deferred person-day
    INSERT runs inside the publish's statement), so the date is rendered by the driver's own
    quoting (psycopg2's adapter: exactly what a parameter becomes with its client-side binding),
    never by hand; the planner sees the range as a constant."""
    if horizon is None:
        return ""
    return f" AND {column} >= {adapt(horizon).getquoted().decode()}"


def horizon_recorded() -> date | None:
    """The first day the per-day tables hold; None: every day (no horizon recorded)."""
    with connection.cursor() as cur:
        cur.execute("SELECT day FROM salesops_efficiencycursor WHERE name = %s", [HORIZON_CURSOR])
        row = cur.fetchone()
    return None if row is None else row[0]


def _horizon_record(horizon: date | None) -> None:
    if horizon is None:
        _exec(
            "DELETE FROM salesops_efficiencycursor WHERE name = %(name)s", {"name": HORIZON_CURSOR}
        )
        return
    _exec(
        """
        INSERT INTO salesops_efficiencycursor (name, watermark, day)
        VALUES (%(name)s, now(), %(day)s)
        ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark, day = EXCLUDED.day
        """,
        {"name": HORIZON_CURSOR, "day": horizon},
    )


def credit_rule() -> str:
    """The credit rule the settings ask for now (COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION)."""
    if getattr(settings, "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", True):
        return "all-won"
    return "confirmed-only"


def credit_rule_recorded() -> str:
    """The rule the per-day tables were built under (before it was recorded: every won deal)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name FROM salesops_efficiencycursor WHERE name LIKE %s ORDER BY name LIMIT 1",
            [f"{CREDIT_RULE_PREFIX}%"],
        )
        row = cur.fetchone()
    return "all-won" if row is None else str(row[0]).removeprefix(CREDIT_RULE_PREFIX)


def _credit_rule_record() -> None:
    _exec(
        "DELETE FROM salesops_efficiencycursor WHERE name LIKE %(prefix)s",
        {"prefix": f"{CREDIT_RULE_PREFIX}%"},
    )
    _exec(
        "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%(name)s, now())",
        {"name": f"{CREDIT_RULE_PREFIX}{credit_rule()}"},
    )


# Which team a person was in on x.day: the membership covering the day; without any membership
# rows, the current team. (The exclusion constraint allows at most one covering membership.)
TEAM_ON_DAY_JOINS = """
    JOIN salesops_person p ON p.id = x.person_id
    LEFT JOIN salesops_teammembership m
        ON m.person_id = x.person_id AND daterange(m.valid_from, m.valid_to, '[)') @> x.day
    LEFT JOIN (SELECT DISTINCT person_id FROM salesops_teammembership) hm
        ON hm.person_id = x.person_id
"""
TEAM_ON_DAY_SQL = "COALESCE(m.team_id, CASE WHEN hm.person_id IS NULL THEN p.team_id END)"


PERSON_DAY_COLUMNS = "person_id, day, team_id, revenue, cost, won_deals"


def _person_day_insert_sql(sources: dict[str, str], *, returning: str | None = "day") -> str:
    """INSERT … SELECT of person-day rows from three source FROM/WHERE bodies.

    The team of the day is joined to the source rows and grouped with them (a person has one team
    a day, so the groups are the (day, person) pairs): one sort on (day, person, team) serves the
    grouping and the primary-key order of the insert.
    """
    splits, owners, costs = sources["splits"], sources["owners"], sources["costs"]
    return f"""
        INSERT INTO salesops_efficiencypersonday
            (person_id, day, team_id, revenue, cost, won_deals)
        SELECT x.person_id, x.day, {TEAM_ON_DAY_SQL}, SUM(x.revenue), SUM(x.cost),
               SUM(x.won)::int
        FROM (
            SELECT s.person_id, d.close_date AS day, {CREDIT_SQL} AS revenue,
                   0::numeric AS cost, 0 AS won
            {splits}
            UNION ALL
            SELECT d.owner_id, d.close_date, 0, 0, 1 {owners}
            UNION ALL
            SELECT c.person_id, c.date, 0, c.amount, 0 {costs}
        ) x
        {TEAM_ON_DAY_JOINS}
        GROUP BY x.day, x.person_id, 3
        ORDER BY 2, 1
        {f"RETURNING {returning}" if returning else ""}
    """


def _full_person_sources(ids_filter_sql: str, horizon: date | None) -> dict[str, str]:
    deals_since = _since("d.close_date", horizon)
    credit_where = credit_sql_where()
    return {
        "splits": "FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id "
        f"WHERE {credit_where}{deals_since}{ids_filter_sql.format(col='s.person_id')}",
        "owners": f"FROM salesops_deal d WHERE {credit_where}{deals_since}"
        f"{ids_filter_sql.format(col='d.owner_id')}",
        "costs": "FROM salesops_salescost c WHERE c.person_id IS NOT NULL"
        f"{_since('c.date', horizon)}{ids_filter_sql.format(col='c.person_id')}",
    }


def pair_sources() -> dict[str, str]:
    """Sources restricted to the (person, day) pairs in _eff_touched, driven from the pairs so the
    indexes are used: splits through the touched days' won deals ((stage, close_date) index, then
    the split's deal_id), since a person has splits on far more deals than a day has."""
    credit_where = credit_sql_where()
    return {
        "splits": "FROM (SELECT DISTINCT day FROM _eff_touched) td "
        "JOIN salesops_deal d ON d.close_date = td.day "
        "JOIN salesops_dealsplit s ON s.deal_id = d.id "
        "JOIN _eff_touched t ON t.person_id = s.person_id AND t.day = d.close_date "
        f"WHERE {credit_where}",
        "owners": "FROM (SELECT DISTINCT day FROM _eff_touched) td "
        "JOIN salesops_deal d ON d.close_date = td.day "
        "JOIN _eff_touched t ON t.person_id = d.owner_id AND t.day = d.close_date "
        f"WHERE {credit_where}",
        "costs": "FROM _eff_touched t "
        "JOIN salesops_salescost c ON c.person_id = t.person_id AND c.date = t.day",
    }


TEAM_DAY_INSERT_SQL = """
    INSERT INTO salesops_efficiencyteamday (team_id, day, cost)
    SELECT c.team_id, c.date, SUM(c.amount) {source} GROUP BY c.team_id, c.date
"""


def _pending(statement: str) -> str:
    """Wrap a statement that RETURNs `day` so the days land in EfficiencyPendingDay (for the
    built-in scopes' closed months) and EfficiencyScopePendingDay (for the plug-in scopes' days)."""
    return f"""
        WITH changed AS ({statement}),
        days AS (SELECT DISTINCT day FROM changed),
        built_in AS (
            INSERT INTO salesops_efficiencypendingday (day) SELECT day FROM days
            ON CONFLICT (day) DO NOTHING
        )
        INSERT INTO salesops_efficiencyscopependingday (day) SELECT day FROM days
        ON CONFLICT (day) DO NOTHING
    """


def _count(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return max(cur.rowcount, 0)


def _exec(sql: str, params: dict[str, Any] | None = None) -> int:
    return _count(sql, params or {})


def work_mem() -> str:
    return str(getattr(settings, "EFFICIENCY_WORK_MEM", "256MB"))


def lock_and_configure(name: str) -> None:
    """Serialise runs on `name`; turn PostgreSQL's JIT off for this transaction (compiling these
    wide statements costs seconds and buys nothing for a few hash aggregates)."""
    _exec("SELECT pg_advisory_xact_lock(hashtext(%(key)s))", {"key": f"salesops.eff:{name}"})
    _exec("SET LOCAL jit = off")
    # The full rebuild groups ~1M rows per million deals: keep the aggregate and sort in memory,
    # and so the sort of the person-day key it builds afterwards (the default 64MB spills it).
    _exec(
        "SELECT set_config('work_mem', %(mem)s, true), "
        "set_config('maintenance_work_mem', %(mem)s, true)",
        {"mem": work_mem()},
    )


@transaction.atomic
def daily_refresh(
    *,
    partition: Partition,
    full: bool,
    horizon: date | None = None,
    defer_person_days: bool = False,
) -> RefreshResult:
    """Refresh the aggregates of one partition (incrementally unless `full` or first time).

    `horizon`: for a full refresh of every person, the first day to keep (None: every day),
    recorded for the refreshes that follow; every other refresh keeps to the recorded one.
    `defer_person_days`: when this turns out to be a full refresh of every person, leave the
    person-day INSERT to the caller (RefreshResult.person_days_insert), who must run it in the
    same transaction and then call person_day_key_restore(); see snapshots_publish.
    """
    lock_and_configure(partition.name)
    cursor_name = f"daily:{partition.name}"
    with connection.cursor() as cur:
        cur.execute(
            "SELECT watermark FROM salesops_efficiencycursor WHERE name = %s", [cursor_name]
        )
        row = cur.fetchone()
    if row is None:
        full = True
    if full and partition.person_ids is None:
        _horizon_record(horizon)
        _credit_rule_record()
    else:
        horizon = horizon_recorded()
    if full:
        result = _refresh_full(partition, horizon, defer_person_days=defer_person_days)
    else:
        result = _refresh_incremental(partition, horizon, since=row[0] - _overlap())
    _exec(
        """
        INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%(name)s, now())
        ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark
        """,
        {"name": cursor_name},
    )
    return result


PERSON_DAY_KEY = "salesops_efficiencypersonday_pkey"


def person_day_key_drop() -> None:
    """Before a rebuild of every person day: without its primary key the table takes the rows
    several times faster, and building the key once afterwards costs less than the difference
    (the rows arrive in key order). Transactional DDL: a failed run rolls back to the old key."""
    _exec("ALTER TABLE salesops_efficiencypersonday DROP CONSTRAINT " + PERSON_DAY_KEY)


def person_day_key_restore() -> None:
    """After the rebuild, in the same transaction: the key (and its uniqueness check) is back."""
    _exec(
        "ALTER TABLE salesops_efficiencypersonday ADD CONSTRAINT "
        + PERSON_DAY_KEY
        + " PRIMARY KEY (day, person_id)"
    )


def _refresh_full(
    partition: Partition, horizon: date | None, *, defer_person_days: bool = False
) -> RefreshResult:
    params: dict[str, object] = {}
    if partition.person_ids is None:
        # Everything: the snapshot step recomputes every period, no pending days needed.
        # (TRUNCATE already holds the table exclusively until commit; so does the key's DDL.)
        _exec("TRUNCATE salesops_efficiencypersonday, salesops_efficiencyteamday")
        person_day_key_drop()
        _exec("DELETE FROM salesops_efficiencydirty")
        # The publish that follows a full refresh rebuilds every plug-in scope's days too.
        _exec("DELETE FROM salesops_efficiencyscopependingday")
        teams = _exec(
            TEAM_DAY_INSERT_SQL.format(
                source="FROM salesops_salescost c "
                f"WHERE c.team_id IS NOT NULL{_since('c.date', horizon)}"
            )
        )
        sources = _full_person_sources("", horizon)
        if defer_person_days:
            insert = _person_day_insert_sql(sources, returning=PERSON_DAY_COLUMNS)
            return RefreshResult(partition.name, True, 0, teams, person_days_insert=insert)
        persons = _exec(_person_day_insert_sql(sources, returning=None))
        person_day_key_restore()
        return RefreshResult(partition.name, True, persons, teams)
    params = {"ids": partition.person_ids}
    _exec(
        _pending(
            "DELETE FROM salesops_efficiencypersonday WHERE person_id = ANY(%(ids)s) RETURNING day"
        ),
        params,
    )
    _exec("DELETE FROM salesops_efficiencydirty WHERE person_id = ANY(%(ids)s)", params)
    persons = _exec(
        _pending(
            _person_day_insert_sql(_full_person_sources(" AND {col} = ANY(%(ids)s)", horizon))
        ),
        params,
    )
    team_params: dict[str, object] = {"ids": partition.team_ids}
    _exec(
        _pending(
            "DELETE FROM salesops_efficiencyteamday WHERE team_id = ANY(%(ids)s) RETURNING day"
        ),
        team_params,
    )
    _exec("DELETE FROM salesops_efficiencydirty WHERE team_id = ANY(%(ids)s)", team_params)
    teams = _exec(
        _pending(
            TEAM_DAY_INSERT_SQL.format(
                source="FROM salesops_salescost c "
                f"WHERE c.team_id = ANY(%(ids)s){_since('c.date', horizon)}"
            )
            + " RETURNING day"
        ),
        team_params,
    )
    return RefreshResult(partition.name, True, persons, teams)


def _refresh_incremental(
    partition: Partition, horizon: date | None, *, since: object
) -> RefreshResult:
    pids = partition.person_ids
    tids = partition.team_ids
    params: dict[str, object] = {"since": since, "ids": pids}
    # People whose team or role may have changed: all of their days.
    _exec("DROP TABLE IF EXISTS _eff_people, _eff_touched, _eff_touched_team")
    _exec(
        f"""
        CREATE TEMP TABLE _eff_people ON COMMIT DROP AS
        SELECT id AS person_id FROM salesops_person p
        WHERE p.updated_at > %(since)s{_filter("p.id", pids)}
        UNION
        SELECT m.person_id FROM salesops_teammembership m
        WHERE m.updated_at > %(since)s{_filter("m.person_id", pids)}
        """,
        params,
    )
    _exec("ANALYZE _eff_people")
    # Every day of these people: probes of the (day, person) key over the calendar the table
    # spans (a few changed people: milliseconds, where a scan of every row takes a tenth of a
    # second); the planner turns to a scan when many people changed.
    _exec(
        _pending(
            "DELETE FROM salesops_efficiencypersonday pd USING _eff_people e, ("
            "SELECT generate_series(min(day), max(day), interval '1 day')::date AS day "
            "FROM salesops_efficiencypersonday) c "
            "WHERE pd.day = c.day AND pd.person_id = e.person_id RETURNING pd.day"
        )
    )
    people_filter = " AND {col} IN (SELECT person_id FROM _eff_people)"
    persons = _exec(_pending(_person_day_insert_sql(_full_person_sources(people_filter, horizon))))

    # (person, day) pairs touched since the watermark, minus the people refreshed above.
    _exec(
        f"""
        CREATE TEMP TABLE _eff_touched ON COMMIT DROP AS
        WITH dirty AS (
            DELETE FROM salesops_efficiencydirty x
            WHERE x.person_id IS NOT NULL{_filter("x.person_id", pids)}
            RETURNING x.person_id, x.day
        )
        SELECT person_id, day FROM (
            SELECT person_id, day FROM dirty
            UNION
            SELECT s.person_id, d.close_date FROM salesops_deal d
            JOIN salesops_dealsplit s ON s.deal_id = d.id
            WHERE d.updated_at > %(since)s AND d.close_date IS NOT NULL{_filter("s.person_id", pids)}
            UNION
            SELECT d.owner_id, d.close_date FROM salesops_deal d
            WHERE d.updated_at > %(since)s AND d.close_date IS NOT NULL{_filter("d.owner_id", pids)}
            UNION
            SELECT c.person_id, c.date FROM salesops_salescost c
            WHERE c.updated_at > %(since)s AND c.person_id IS NOT NULL{_filter("c.person_id", pids)}
        ) u
        WHERE person_id NOT IN (SELECT person_id FROM _eff_people){_since("day", horizon)}
        """,
        params,
    )
    _exec("ANALYZE _eff_touched")
    _exec(
        _pending(
            "DELETE FROM salesops_efficiencypersonday pd USING _eff_touched t "
            "WHERE pd.person_id = t.person_id AND pd.day = t.day RETURNING pd.day"
        )
    )
    # Days of touched pairs are pending even when no row existed before or after.
    _exec(_pending("SELECT day FROM _eff_touched"))
    persons += _exec(_person_day_insert_sql(pair_sources(), returning=None))

    team_params: dict[str, object] = {"since": since, "ids": tids}
    _exec(
        f"""
        CREATE TEMP TABLE _eff_touched_team ON COMMIT DROP AS
        WITH dirty AS (
            DELETE FROM salesops_efficiencydirty x
            WHERE x.team_id IS NOT NULL{_filter("x.team_id", tids)}
            RETURNING x.team_id, x.day
        )
        SELECT team_id, day FROM (
            SELECT team_id, day FROM dirty
            UNION
            SELECT c.team_id, c.date FROM salesops_salescost c
            WHERE c.updated_at > %(since)s AND c.team_id IS NOT NULL{_filter("c.team_id", tids)}
        ) u
        WHERE TRUE{_since("day", horizon)}
        """,
        team_params,
    )
    _exec(
        "DELETE FROM salesops_efficiencyteamday td USING _eff_touched_team t "
        "WHERE td.team_id = t.team_id AND td.day = t.day"
    )
    _exec(_pending("SELECT day FROM _eff_touched_team"))
    teams = _exec(
        TEAM_DAY_INSERT_SQL.format(
            source="FROM _eff_touched_team t "
            "JOIN salesops_salescost c ON c.team_id = t.team_id AND c.date = t.day"
        )
    )
    return RefreshResult(partition.name, False, persons, teams)
