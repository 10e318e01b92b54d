"""The SQL of the per-day aggregates (EfficiencyPersonDay, the person-month rows before the day
horizon, EfficiencyTeamDay), composed with psycopg2.sql: the person-day SELECT over three sources
(credited splits, deals won as owner, ledger entries), the sources for everyone, a partition or
the touched (person, day) pairs, how the person days are kept (state_write; state_ctes inside a
full rebuild's publish statement, which reads the won deals once), the team-day INSERT, the
pending-days wrapper and the person-day key's drop and restore.

Every value is a parameter of the statement that runs these: `%(ids)s` (a partition's people or
teams), `%(horizon)s` (the first day kept), `%(day_horizon)s` (the first kept per day) and
`%(since)s` (the watermark)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from psycopg2 import sql

from salesops.selectors.credit import CREDIT, credit_where
from salesops.services.efficiency.db import execute

# Which team a person was in on x.day: the membership covering the day; without any membership
# rows, the current team. (The exclusion constraint allows at most one covering membership.)
TEAM_ON_DAY_JOINS = sql.SQL("""
    JOIN salesops_person p ON p.id = x.person_id
    LEFT JOIN salesops_teammembership m
        ON m.person_id = x.person_id AND daterange(m.valid_from, m.valid_to, '[)') @> x.day
    LEFT JOIN (SELECT DISTINCT person_id FROM salesops_teammembership) hm
        ON hm.person_id = x.person_id
""")
TEAM_ON_DAY = sql.SQL("COALESCE(m.team_id, CASE WHEN hm.person_id IS NULL THEN p.team_id END)")

# The team of the day is joined to the source rows and grouped with them (a person has one team
# a day, so the groups are the (day, person) pairs): one sort on (day, person, team) serves the
# grouping and the primary-key order of the insert.
# Here (partitions, changed people, touched pairs) the won deals are read twice (splits, owners)
# on purpose: the second read is a bitmap scan of the (stage, close_date) index over pages the
# first just cached, 20-30 ms of a 0.6-0.8 s statement (200k deals, 1,000 people; 2026-12-04,
# issue 22). No exact single read measured was faster for the person days alone, timed in turns.
# (A full rebuild reads them once, SHARED_SOURCES below, because its per-deal rows also give the
# territories their days.) Full runs, medians: a lateral over each deal's splits plus its owner
# 1.91 s against 1.86 s (and 1.99 against 1.78), a MATERIALIZED CTE of the won deals 1.94
# against 1.86. The statement alone: a row_number() window over deals LEFT JOIN splits, and the
# floor's materialised deals x splits with one row per deal by GROUP BY, were slower still.
# The time goes to sorting, grouping and inserting the ~350k source rows, not to reading deals.
PERSON_DAY_SELECT = sql.SQL("""
    SELECT x.person_id, x.day, {team_on_day} AS team_id, SUM(x.revenue) AS revenue,
           SUM(x.cost) AS cost, SUM(x.won)::int AS won_deals
    FROM (
        SELECT s.person_id, d.close_date AS day, {credit} AS revenue,
               0::numeric AS cost, 0 AS won
        {splits}
        UNION ALL
        SELECT d.owner_id, d.close_date, 0, 0, 1 {owners}
        UNION ALL
        SELECT c.person_id, c.date, 0, c.amount, 0 {costs}
    ) x
    {team_on_day_joins}
    GROUP BY x.day, x.person_id, 3
    ORDER BY 2, 1
""")

# The state of the person days in _eff_pd (PERSON_DAY_SELECT's rows): the days from the day
# horizon (%(day_horizon)s; NULL: every day) into the person-day table, in key order; the earlier
# ones per person, fiscal month (_eff_state_month_days, state_months_table) and team of the day
# into the person-month table, `days` counting the person days summed (a snapshot's source_rows
# counts person days, whichever table it is summed from).
STATE_DAYS_INSERT = sql.SQL("""
    INSERT INTO salesops_efficiencypersonday
        (person_id, day, team_id, revenue, cost, won_deals)
    SELECT person_id, day, team_id, revenue, cost, won_deals FROM {pd}
    WHERE %(day_horizon)s::date IS NULL OR day >= %(day_horizon)s::date
    ORDER BY day, person_id
""")
STATE_MONTHS_INSERT = sql.SQL("""
    INSERT INTO salesops_efficiencypersonmonth
        (month, person_id, team_id, revenue, cost, won_deals, days)
    SELECT md.month, pd.person_id, pd.team_id, SUM(pd.revenue), SUM(pd.cost),
           SUM(pd.won_deals), COUNT(*)
    FROM {pd} pd JOIN _eff_state_month_days md ON md.day = pd.day
    GROUP BY md.month, pd.person_id, pd.team_id
""")

# Whose days a full-source refresh reads: {col} is the person column of each source.
EVERYONE = sql.SQL("")
IN_PARTITION = sql.SQL(" AND {col} = ANY(%(ids)s)")
CHANGED_PEOPLE = sql.SQL(" AND {col} IN (SELECT person_id FROM _eff_people)")

TEAM_DAY_INSERT = sql.SQL("""
    INSERT INTO salesops_efficiencyteamday (team_id, day, cost)
    SELECT c.team_id, c.date, SUM(c.amount) {source} GROUP BY c.team_id, c.date {returning}
""")

PENDING = sql.SQL("""
    WITH changed AS ({statement}),
    days AS (SELECT DISTINCT day FROM changed),
    built_in AS (
        INSERT INTO salesops_efficiencypendingday (day) SELECT day FROM days
        ON CONFLICT (day) DO NOTHING
    )
    INSERT INTO salesops_efficiencyscopependingday (day) SELECT day FROM days
    ON CONFLICT (day) DO NOTHING
""")

PERSON_DAY_KEY = "salesops_efficiencypersonday_pkey"


def column(name: str) -> sql.Identifier:
    """A (possibly qualified) column name, `alias.column`, as an identifier."""
    return sql.Identifier(*name.split("."))


def only(name: str, ids: list[int] | None) -> sql.Composable:
    """An extra WHERE clause restricting column `name` to the partition's ids (%(ids)s); none
    for every id."""
    if ids is None:
        return sql.SQL("")
    return sql.SQL(" AND {} = ANY(%(ids)s)").format(column(name))


def from_horizon(name: str, horizon: date | None) -> sql.Composable:
    """An extra WHERE clause keeping the days of column `name` from the horizon on (parameter
    %(horizon)s, which client-side binding renders as a constant the planner sees); none without
    a horizon."""
    if horizon is None:
        return sql.SQL("")
    return sql.SQL(" AND {} >= %(horizon)s").format(column(name))


def person_day_select(sources: Mapping[str, sql.Composable]) -> sql.Composed:
    """SELECT of person-day rows (person_id, day, team_id, revenue, cost, won_deals) from three
    source FROM/WHERE bodies (full_sources, pair_sources), in (day, person) order."""
    return PERSON_DAY_SELECT.format(
        team_on_day=TEAM_ON_DAY,
        credit=CREDIT,
        splits=sources["splits"],
        owners=sources["owners"],
        costs=sources["costs"],
        team_on_day_joins=TEAM_ON_DAY_JOINS,
    )


def state_months_table(months: list[tuple[date, date]]) -> None:
    """Temp table _eff_state_month_days (day, month): every day of the fiscal months (start,
    end) the state keeps per month, with its month's first day (an equality join per day)."""
    execute("DROP TABLE IF EXISTS _eff_state_month_days")
    execute("CREATE TEMP TABLE _eff_state_month_days (day date, month date) ON COMMIT DROP")
    if months:
        values = sql.SQL(", ").join([sql.SQL("(%s::date, %s::date)")] * len(months))
        execute(
            sql.SQL(
                "INSERT INTO _eff_state_month_days SELECT g::date, m.ps "
                "FROM (VALUES {}) m(ps, pe), generate_series(m.ps, m.pe, interval '1 day') g"
            ).format(values),
            [bound for month in months for bound in month],
        )
    execute("ANALYZE _eff_state_month_days")


def state_write(select: sql.Composable, params: dict[str, Any], *, record: bool) -> int:
    """Aggregate the person days `select` yields (person_day_select) once, into _eff_pd, and
    keep them: per day from the day horizon (params["day_horizon"]), per month before it. With
    `record`, their days are pending (the snapshot step recomputes the periods around them).
    The number of person days."""
    execute("DROP TABLE IF EXISTS _eff_pd")
    rows = execute(sql.SQL("CREATE TEMP TABLE _eff_pd ON COMMIT DROP AS {}").format(select), params)
    pd = sql.Identifier("_eff_pd")
    execute(STATE_DAYS_INSERT.format(pd=pd), params)
    execute(STATE_MONTHS_INSERT.format(pd=pd))
    if record:
        execute(pending(sql.SQL("SELECT DISTINCT day FROM _eff_pd")))
    return rows


# A full rebuild's months, from the publish statement's per-(span, person, team) sums `pp`
# (snapshot_sql.BUILT_IN_CTES) of the closed months before the day horizon: S(D)'s closed months
# are every month from the horizon on, so these are the state's months, summed once for both.
STATE_MONTHS_FROM_SPANS = sql.SQL("""
    state_months AS (
        INSERT INTO salesops_efficiencypersonmonth
            (month, person_id, team_id, revenue, cost, won_deals, days)
        SELECT sp.ps, pp.person_id, pp.team_id, pp.revenue, pp.cost, pp.won, pp.n
        FROM pp JOIN {spans} sp ON sp.id = pp.span_id
        WHERE sp.period = 'month' AND sp.ps < %(day_horizon)s::date
    )
""")


# A full rebuild's sources, read once in its publish statement: every won deal from the horizon on
# with its splits (`ds`), then one row per deal (`dl`: owner, account, day, credit, splits) for
# the owners' won deals and, as WON_DEALS (id, account_id, day, revenue: the deals with a split),
# for the plug-in scopes that read won deals (efficiency_scopes, `from_won_deals`: the
# territories), whose days the same statement writes (`scope_days`, WITH items that read
# WON_DEALS), so they do not join and group the deals and splits again.
WON_DEALS = "won_deals"
SHARED_SOURCES = sql.SQL("""
    ds AS MATERIALIZED (
        SELECT d.id, d.owner_id, d.account_id, d.close_date AS day, s.person_id,
               {credit} AS revenue
        FROM salesops_deal d LEFT JOIN salesops_dealsplit s ON s.deal_id = d.id
        WHERE {credit_where}{since}
    ), dl AS MATERIALIZED (
        SELECT id, owner_id, account_id, day, SUM(revenue) AS revenue, COUNT(person_id) AS splits
        FROM ds GROUP BY id, owner_id, account_id, day
    ), {won_deals} AS (
        SELECT id, account_id, day, revenue FROM dl WHERE splits > 0
    ), {scope_days}
""")
SHARED_PERSON_DAYS = sql.SQL("""
    SELECT x.person_id, x.day, {team_on_day} AS team_id, SUM(x.revenue) AS revenue,
           SUM(x.cost) AS cost, SUM(x.won)::int AS won_deals, 1 AS n
    FROM (
        SELECT person_id, day, revenue, 0::numeric AS cost, 0 AS won
        FROM ds WHERE person_id IS NOT NULL
        UNION ALL
        SELECT owner_id, day, 0, 0, 1 FROM dl
        UNION ALL
        SELECT c.person_id, c.date, 0, c.amount, 0
        FROM salesops_salescost c WHERE c.person_id IS NOT NULL{costs_since}
    ) x
    {team_on_day_joins}
    GROUP BY x.day, x.person_id, 3
""")


def state_ctes(
    horizon: date | None, spans: str, scope_days: sql.Composable
) -> tuple[sql.Composed, sql.Composed]:
    """What state_write does for every person, as WITH-list items of a full rebuild's publish
    statement, from the sources read once (SHARED_SOURCES, then the items `scope_days`, each
    ending in a comma, which may read WON_DEALS): `pd`, the person days (n = 1: each is one
    source row of a snapshot), and the days' insert (both put before the statement's `pp`), and
    the months' insert from `pp` over the spans of temp table `spans` (put after it).
    Data-modifying items run whether or not the statement reads them."""
    head = sql.SQL("{sources} pd AS ({select}), state_days AS ({days}),").format(
        sources=SHARED_SOURCES.format(
            credit=CREDIT,
            credit_where=credit_where(),
            since=from_horizon("d.close_date", horizon),
            won_deals=sql.Identifier(WON_DEALS),
            scope_days=scope_days,
        ),
        select=SHARED_PERSON_DAYS.format(
            team_on_day=TEAM_ON_DAY,
            costs_since=from_horizon("c.date", horizon),
            team_on_day_joins=TEAM_ON_DAY_JOINS,
        ),
        days=STATE_DAYS_INSERT.format(pd=sql.Identifier("pd")),
    )
    return head, STATE_MONTHS_FROM_SPANS.format(spans=sql.Identifier(spans))


def full_sources(people: sql.SQL, horizon: date | None) -> dict[str, sql.Composable]:
    """Every credited split, won deal and ledger entry of the people `people` selects (EVERYONE,
    IN_PARTITION, CHANGED_PEOPLE) from the horizon on."""
    deals_since = from_horizon("d.close_date", horizon)
    return {
        "splits": sql.SQL(
            "FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id "
            "WHERE {credit_where}{since}{people}"
        ).format(
            credit_where=credit_where(),
            since=deals_since,
            people=people.format(col=column("s.person_id")),
        ),
        "owners": sql.SQL("FROM salesops_deal d WHERE {credit_where}{since}{people}").format(
            credit_where=credit_where(),
            since=deals_since,
            people=people.format(col=column("d.owner_id")),
        ),
        "costs": sql.SQL(
            "FROM salesops_salescost c WHERE c.person_id IS NOT NULL{since}{people}"
        ).format(
            since=from_horizon("c.date", horizon), people=people.format(col=column("c.person_id"))
        ),
    }


def pair_sources() -> dict[str, sql.Composable]:
    """Sources restricted to the (person, day) pairs in _eff_touched, driven from the pairs so the
    indexes are used: splits through the touched days' won deals ((stage, close_date) index, then
    the split's deal_id), since a person has splits on far more deals than a day has."""
    return {
        "splits": sql.SQL(
            "FROM (SELECT DISTINCT day FROM _eff_touched) td "
            "JOIN salesops_deal d ON d.close_date = td.day "
            "JOIN salesops_dealsplit s ON s.deal_id = d.id "
            "JOIN _eff_touched t ON t.person_id = s.person_id AND t.day = d.close_date "
            "WHERE {}"
        ).format(credit_where()),
        "owners": sql.SQL(
            "FROM (SELECT DISTINCT day FROM _eff_touched) td "
            "JOIN salesops_deal d ON d.close_date = td.day "
            "JOIN _eff_touched t ON t.person_id = d.owner_id AND t.day = d.close_date "
            "WHERE {}"
        ).format(credit_where()),
        "costs": sql.SQL(
            "FROM _eff_touched t "
            "JOIN salesops_salescost c ON c.person_id = t.person_id AND c.date = t.day"
        ),
    }


def team_day_insert(source: sql.Composable, *, returning: bool = False) -> sql.Composed:
    """INSERT … SELECT of team-day rows (costs booked to teams) from a FROM/WHERE body over the
    ledger (`c`); RETURNING day when `returning`."""
    return TEAM_DAY_INSERT.format(
        source=source, returning=sql.SQL("RETURNING day") if returning else sql.SQL("")
    )


def pending(statement: sql.Composable) -> sql.Composed:
    """Wrap a statement that RETURNs `day` so the days land in EfficiencyPendingDay (for the
    built-in scopes' closed months) and EfficiencyScopePendingDay (for the plug-in scopes' days)."""
    return PENDING.format(statement=statement)


def person_day_key_drop() -> None:
    """Before a rebuild of every person day: without its primary key the table takes the rows
    several times faster, and building the key once afterwards costs less than the difference
    (the rows arrive in key order). Transactional DDL: a failed run rolls back to the old key."""
    execute(
        sql.SQL("ALTER TABLE salesops_efficiencypersonday DROP CONSTRAINT {}").format(
            sql.Identifier(PERSON_DAY_KEY)
        )
    )


def person_day_key_restore() -> None:
    """After the rebuild, in the same transaction: the key (and its uniqueness check) is back."""
    execute(
        sql.SQL(
            "ALTER TABLE salesops_efficiencypersonday ADD CONSTRAINT {} PRIMARY KEY (day, person_id)"
        ).format(sql.Identifier(PERSON_DAY_KEY))
    )
