"""The SQL with which an incremental refresh (daily._refresh_incremental) finds what changed
since its watermark: the people whose Person or TeamMembership rows changed (all of their days),
the (person, day) and (team, day) pairs touched by changed deals, splits and costs (new values)
and by the triggers' dirty rows (old values), and, before the day horizon, the person-months those
pairs stand for. Values are parameters of the statement that runs these: `%(since)s` (the
watermark), `%(ids)s` (a partition's people or teams) and `%(horizon)s`; the `{…}` slots take
daily's partition and horizon clauses (person_days.only, from_horizon)."""

from __future__ import annotations

from psycopg2 import sql

CHANGED_PEOPLE_SQL = sql.SQL("""
    CREATE TEMP TABLE _eff_people ON COMMIT DROP AS
    SELECT id AS person_id FROM salesops_person p
    WHERE p.updated_at > %(since)s{people}
    UNION
    SELECT m.person_id FROM salesops_teammembership m
    WHERE m.updated_at > %(since)s{members}
""")

TOUCHED_SQL = sql.SQL("""
    CREATE TEMP TABLE _eff_touched ON COMMIT DROP AS
    WITH dirty AS (
        DELETE FROM salesops_efficiencydirty x
        WHERE x.person_id IS NOT NULL{dirty}
        RETURNING x.person_id, x.day
    )
    SELECT person_id, day FROM (
        SELECT person_id, day FROM dirty
        UNION
        SELECT s.person_id, d.close_date FROM salesops_deal d
        JOIN salesops_dealsplit s ON s.deal_id = d.id
        WHERE d.updated_at > %(since)s AND d.close_date IS NOT NULL{splits}
        UNION
        SELECT d.owner_id, d.close_date FROM salesops_deal d
        WHERE d.updated_at > %(since)s AND d.close_date IS NOT NULL{owners}
        UNION
        SELECT c.person_id, c.date FROM salesops_salescost c
        WHERE c.updated_at > %(since)s AND c.person_id IS NOT NULL{costs}
    ) u
    WHERE person_id NOT IN (SELECT person_id FROM _eff_people){horizon}
""")

TOUCHED_TEAMS_SQL = sql.SQL("""
    CREATE TEMP TABLE _eff_touched_team ON COMMIT DROP AS
    WITH dirty AS (
        DELETE FROM salesops_efficiencydirty x
        WHERE x.team_id IS NOT NULL{dirty}
        RETURNING x.team_id, x.day
    )
    SELECT team_id, day FROM (
        SELECT team_id, day FROM dirty
        UNION
        SELECT c.team_id, c.date FROM salesops_salescost c
        WHERE c.updated_at > %(since)s AND c.team_id IS NOT NULL{costs}
    ) u
    WHERE TRUE{horizon}
""")


# The touched pairs before the day horizon stand for their whole person-month (kept as one row):
# its row is deleted and every day of it becomes a touched pair, re-aggregated with the others.
TOUCHED_MONTHS_SQL = """
    CREATE TEMP TABLE _eff_touched_months ON COMMIT DROP AS
    SELECT DISTINCT t.person_id, md.month
    FROM _eff_touched t JOIN _eff_state_month_days md ON md.day = t.day
"""
TOUCHED_MONTHS_EXPAND_SQL = """
    INSERT INTO _eff_touched (person_id, day)
    SELECT tm.person_id, md.day
    FROM _eff_touched_months tm JOIN _eff_state_month_days md ON md.month = tm.month
    EXCEPT SELECT person_id, day FROM _eff_touched
"""
