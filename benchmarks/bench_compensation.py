"""Compensation: attainment for the whole org and statement generation for one month.

Floors, measured in the same run on the same data:
- attainment_for_people over every person for the fiscal year vs one hand-written SQL statement
  that computes the same quota and credited sums (CREDIT_SQL);
- statements_generate for the last full month (fresh, then recomputing the unchanged month, the
  nightly job's common case) vs the irreducible work: the month's inputs read by hand-written SQL
  and the pure engine run per person (no ORM, no writes). Both inside a rolled-back transaction
  that first removes the month's statements (but those under dispute), whatever their status, so
  the figures do not depend on the day of the month the benchmark runs on (the current month
  holds one day of deals on the 1st).

When the database has no people (the core seed has not run), a small synthetic org is created
first; when it has no quotas, compensation.demo.seed_demo adds them.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from psycopg2 import sql

from benchmarks.harness import BenchContext, Result
from compensation import demo, engine
from compensation.models import Quota, Statement
from compensation.selectors import attainment_for_people
from compensation.services.statements import statements_generate
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import Person
from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE


def _synthetic_org(ctx: BenchContext, people: int, deals_per_person: int) -> None:
    ctx.log(f"no people: creating a synthetic org of {people} people")
    today = calendar.company_today()
    start = calendar.period_containing(today, calendar.YEAR).start
    days = max((today - start).days, 1)
    ctx.execute(
        "INSERT INTO salesops_team (name, structure, region, created_at, updated_at) "
        "SELECT 'Bench team ' || g, 'territory', '', now(), now() FROM generate_series(1, %s) g",
        [max(people // 25, 1)],
    )
    ctx.execute(
        """
        INSERT INTO salesops_person (name, email, role, team_id, hourly_cost, time_zone,
            work_start, work_end, work_days, active, created_at, updated_at)
        SELECT 'Bench person ' || g, '', 'account_executive',
            (SELECT min(id) FROM salesops_team) + (g %% %s), 60, 'Europe/Berlin',
            '09:00', '17:00', '12345', true, now(), now()
        FROM generate_series(1, %s) g
        """,
        [max(people // 25, 1), people],
    )
    ctx.execute(
        "INSERT INTO salesops_product (name, series, list_price) VALUES ('Bench product', '', 1000)"
    )
    ctx.execute(
        """
        INSERT INTO salesops_deal (external_id, product_id, owner_id, stage, lost_at_stage,
            amount, close_value, engage_date, close_date, created_at, updated_at)
        SELECT 'B' || p.id || '-' || g, (SELECT min(id) FROM salesops_product), p.id, 'won', '',
            1000 + (g * 7919 + p.id * 104729) %% 40000, 1000 + (g * 7919 + p.id * 104729) %% 40000,
            %s::date + ((g * 37 + p.id) %% %s)::int, %s::date + ((g * 37 + p.id) %% %s)::int,
            now(), now()
        FROM salesops_person p, generate_series(1, %s) g
        """,
        [start, days, start, days, deals_per_person],
    )
    ctx.execute(
        "INSERT INTO salesops_dealsplit (deal_id, person_id, percent) "
        "SELECT id, owner_id, 100 FROM salesops_deal WHERE external_id LIKE 'B%%'"
    )
    get_user_model().objects.get_or_create(username="ops")


def _ensure_data(ctx: BenchContext) -> None:
    if not Person.objects.exists():
        large = ctx.scale == "large"
        _synthetic_org(ctx, people=5000 if large else 200, deals_per_person=40 if large else 20)
    if not Quota.objects.exists():
        ctx.log("no quotas: running compensation.demo.seed_demo")
        started = time.perf_counter()
        demo.seed_demo(seed=7, scale=ctx.scale)
        ctx.log(f"compensation demo seeded in {time.perf_counter() - started:.1f}s")


FLOOR_ATTAINMENT_SQL = sql.SQL(
    """
    WITH q AS (
        SELECT person_id, SUM(amount) AS quota FROM compensation_quota
        WHERE metric = 'revenue' AND person_id IS NOT NULL
          AND period_start BETWEEN %s AND %s GROUP BY person_id
    ), c AS (
        SELECT s.person_id, SUM({CREDIT_SQL}) AS credited
        FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
        WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %s AND %s GROUP BY s.person_id
    )
    SELECT p.id, q.quota, COALESCE(c.credited, 0),
           CASE WHEN q.quota > 0 THEN ROUND(COALESCE(c.credited, 0) / q.quota * 100, 2) END
    FROM salesops_person p LEFT JOIN q ON q.person_id = p.id LEFT JOIN c ON c.person_id = p.id
"""
).format(CREDIT_SQL=sql.SQL(CREDIT_SQL), CREDIT_SQL_WHERE=sql.SQL(CREDIT_SQL_WHERE))

FLOOR_MONTH_READ_SQL = sql.SQL(
    """
    SELECT s.person_id, d.id, d.external_id, d.close_date, d.close_value, s.percent, {CREDIT_SQL}
    FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
    WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %s AND %s
"""
).format(CREDIT_SQL=sql.SQL(CREDIT_SQL), CREDIT_SQL_WHERE=sql.SQL(CREDIT_SQL_WHERE))


FLOOR_INPUTS_SQL = """
    WITH q AS (
        SELECT person_id, SUM(amount) AS quota FROM compensation_quota
        WHERE metric = 'revenue' AND person_id IS NOT NULL AND period_start BETWEEN %s AND %s
        GROUP BY person_id
    ), v AS (
        SELECT DISTINCT ON (plan_id) plan_id, definition FROM compensation_planversion
        WHERE status = 'approved' AND effective_from <= %s
        ORDER BY plan_id, effective_from DESC
    )
    SELECT a.person_id, v.definition, a.target_incentive, q.quota
    FROM compensation_planassignment a
    JOIN v ON v.plan_id = a.plan_id
    LEFT JOIN q ON q.person_id = a.person_id
    WHERE a.start <= %s AND (a.end IS NULL OR a.end >= %s)
"""


def _engine_floor(ctx: BenchContext, month: calendar.FiscalPeriod) -> None:
    """The irreducible work of a month's statements: the reads in two hand-written queries and
    the pure engine per person, with no ORM and no writes."""
    inputs = ctx.execute(
        FLOOR_INPUTS_SQL, [month.start, month.end, month.end, month.end, month.start]
    )
    deals: dict[int, list[engine.DealCredit]] = {}
    for pid, deal_id, ref, closed, value, pct, credit in ctx.execute(
        FLOOR_MONTH_READ_SQL, [month.start, month.end]
    ):
        deals.setdefault(pid, []).append(
            engine.DealCredit(
                ref=ref,
                credit=credit,
                close_date=closed,
                deal_value=value,
                share=pct,
                deal_id=deal_id,
            )
        )
    plans: dict[str, engine.Plan] = {}
    for pid, definition, target, quota in inputs:
        key = definition if isinstance(definition, str) else json.dumps(definition)
        if key not in plans:
            plans[key] = engine.parse_plan(json.loads(key))
        plan = plans[key]
        try:
            engine.calculate(
                plan=plan, quota=quota, deals=deals.get(pid, []), target_incentive=target
            )
        except ApplicationError:
            continue


def run(ctx: BenchContext) -> list[Result]:
    _ensure_data(ctx)
    ops = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
        is_superuser=True, is_staff=True, username="bench-superuser"
    )
    today = calendar.company_today()
    year = calendar.period_containing(today, calendar.YEAR)
    month = calendar.period_containing(today, calendar.MONTH).previous()
    ids = list(Person.objects.values_list("pk", flat=True))
    ctx.log(f"{len(ids)} people, {Statement.objects.count()} statements")

    def attainment() -> None:
        attainment_for_people(user=ops, person_ids=ids, start=year.start, end=year.end, today=today)

    def attainment_floor() -> None:
        ctx.execute(FLOOR_ATTAINMENT_SQL, [year.start, year.end, year.start, year.end])

    att = ctx.timed(attainment)
    att_floor = ctx.timed(attainment_floor)
    gen_floor = ctx.timed(lambda: _engine_floor(ctx, month))

    fresh, recompute = _generation(ctx, month)
    return [
        Result(
            name="compensation.attainment_all_people_year",
            value=att,
            floor=att_floor,
            target=3.0,
            note=f"{len(ids)} people; floor: one hand-written SQL over CREDIT_SQL",
        ),
        Result(
            name="compensation.statements_recompute_unchanged_month",
            value=recompute,
            floor=gen_floor,
            target=8.0,
            note=f"{month.start:%B %Y}, the nightly job's usual case: every draft compares equal, "
            "nothing is written; floor: hand-written reads + the pure engine per person",
        ),
        Result(
            name="compensation.statements_generate_fresh_month",
            value=fresh,
            floor=gen_floor,
            target=40.0,
            note=f"{month.start:%B %Y}: engine per person + bulk writes of statements, lines and "
            "their history rows; "
            "floor: hand-written reads + the pure engine per person",
        ),
    ]


# The month's statements and their lines, but those under dispute.
DELETE_MONTH_LINES_SQL = """
    DELETE FROM compensation_statementline WHERE statement_id IN (
        SELECT id FROM compensation_statement WHERE period_start = %s
        AND id NOT IN (SELECT statement_id FROM compensation_dispute))
"""
DELETE_MONTH_STATEMENTS_SQL = """
    DELETE FROM compensation_statement WHERE period_start = %s
    AND id NOT IN (SELECT statement_id FROM compensation_dispute)
"""


def _generation(ctx: BenchContext, month: calendar.FiscalPeriod) -> tuple[float, float]:
    """Inside a rolled-back transaction: remove the month's statements (but those under dispute),
    generate them afresh (timed once), then recompute the unchanged month (best of 3)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(DELETE_MONTH_LINES_SQL, [month.start])
            cursor.execute(DELETE_MONTH_STATEMENTS_SQL, [month.start])
        started = time.perf_counter()
        report = statements_generate(period=month)
        fresh = time.perf_counter() - started
        ctx.log(
            f"{month.start:%B %Y}: {report.created} statements generated afresh, "
            f"{report.locked} locked (under dispute), {report.skipped} skipped"
        )
        recompute = ctx.timed(lambda: statements_generate(period=month))
        transaction.set_rollback(True)
    return fresh, recompute
