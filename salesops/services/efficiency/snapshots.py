"""Step 2 of a nightly run: fold the per-day aggregates into the snapshots of S(as_of).

All in set-based statements whose number does not depend on the number of people:
1. base periods (day, month-to-date, trailing 90 days, and the closed months that need it) are
   summed from the per-day tables per person and team-of-the-day, then written for every person,
   team (each team gets its members' and sub-teams' rows, via the team closure), role and the
   company, plus every registered provider scope (e.g. territory);
2. derived periods (closed quarters, quarter- and year-to-date) are sums of those month and
   month-to-date snapshots;
3. snapshot rows of a recomputed period that were not written again (a scope with no activity
   any more) are deleted.
Ratios are Σrevenue / Σcost × 100 over the scope, 4 decimals half-up, NULL when the cost is 0.

Incremental: closed months are recomputed only when a day in them is pending (its aggregates
changed) or the month has no snapshot yet; derived periods only when one of their parts was
recomputed. Provider scopes follow the same periods when their inputs fingerprint
(salesops.efficiency_scopes) is unchanged since the last publish, else every period. A change to the team tree recomputes everything (team roll-ups follow today's tree).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from salesops.efficiency_scopes import (
    BUILT_IN_SCOPES,
    ScopeProvider,
    scope_fingerprints,
    scope_providers,
)
from salesops.models import Period
from salesops.services.efficiency.daily import lock_and_configure
from salesops.services.efficiency.periods import (
    Derived,
    Span,
    base_spans,
    closed_months,
    derived_spans,
)

PUBLISH_CURSOR = "publish"

# The ratio rule of salesops.formulas.efficiency_ratio in SQL (tests check they agree): the
# dividend gets 20 decimals so the division never rounds before ROUND(…, 4) (half away from zero,
# as ROUND_HALF_UP).
RATIO_SQL = (
    "CASE WHEN {cost} = 0 THEN NULL ELSE ROUND(({revenue} * 100)::numeric(40, 20) / {cost}, 4) END"
)

SNAPSHOT_COLUMNS = (
    "scope_type, scope_id, scope_key, period, period_start, period_end, "
    "revenue, cost, ratio, won_deals, computed_at"
)
UPSERT_SQL = """
    ON CONFLICT (scope_type, scope_id, scope_key, period, period_start, period_end)
    DO UPDATE SET revenue = EXCLUDED.revenue, cost = EXCLUDED.cost, ratio = EXCLUDED.ratio,
                  won_deals = EXCLUDED.won_deals, computed_at = EXCLUDED.computed_at
"""


@dataclass(frozen=True)
class PublishResult:
    as_of: date
    full: bool
    periods: int
    rows: int


def _exec(sql: str, params: list[Any] | dict[str, Any] | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return max(cur.rowcount, 0)


def _fetch(sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall()


def _overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS", 300))


def _spans_table(name: str, spans: list[Span]) -> None:
    _exec(f"DROP TABLE IF EXISTS {name}")
    _exec(f"CREATE TEMP TABLE {name} (period text, ps date, pe date) ON COMMIT DROP")
    if spans:
        values = ", ".join(["(%s, %s::date, %s::date)"] * len(spans))
        params: list[object] = []
        for span in spans:
            params += [str(span.period), span.start, span.end]
        _exec(f"INSERT INTO {name} VALUES {values}", params)
    _exec(f"ANALYZE {name}")  # temp tables have no statistics: give the planner the row count


def _derived_table(derived: list[Derived]) -> None:
    _exec("DROP TABLE IF EXISTS _eff_derived")
    _exec(
        "CREATE TEMP TABLE _eff_derived (period text, ps date, pe date, "
        "part_period text, part_ps date, part_pe date) ON COMMIT DROP"
    )
    rows = [(d.span, part) for d in derived for part in d.parts]
    if rows:
        values = ", ".join(["(%s, %s::date, %s::date, %s, %s::date, %s::date)"] * len(rows))
        params: list[object] = []
        for span, part in rows:
            params += [
                str(span.period),
                span.start,
                span.end,
                str(part.period),
                part.start,
                part.end,
            ]
        _exec(f"INSERT INTO _eff_derived VALUES {values}", params)
    _exec("ANALYZE _eff_derived")


def _rows_with_ratio(body: str) -> str:
    """SELECT the snapshot columns from a body with (scope_type … won) columns."""
    ratio = RATIO_SQL.format(cost="r.cost", revenue="r.revenue")
    return f"""
        SELECT r.scope_type, r.scope_id, r.scope_key, r.period, r.ps, r.pe,
               r.revenue, r.cost, {ratio}, r.won, %(stamp)s
        FROM ({body}) r
    """


BUILT_IN_BODY = """
    WITH RECURSIVE closure(ancestor, team_id) AS (
        SELECT id, id FROM salesops_team
        UNION ALL
        SELECT c.ancestor, t.id FROM closure c JOIN salesops_team t ON t.parent_id = c.team_id
    ), pp AS (
        SELECT sp.period, sp.ps, sp.pe, d.person_id, d.team_id,
               SUM(d.revenue) AS revenue, SUM(d.cost) AS cost, SUM(d.won_deals) AS won
        FROM _eff_spans sp
        JOIN salesops_efficiencypersonday d ON d.day BETWEEN sp.ps AND sp.pe
        -- One range for the whole scan: a night's rolling spans cover a small part of the days.
        WHERE d.day BETWEEN (SELECT min(ps) FROM _eff_spans) AND (SELECT max(pe) FROM _eff_spans)
        GROUP BY sp.period, sp.ps, sp.pe, d.person_id, d.team_id
    ), tp AS (
        SELECT sp.period, sp.ps, sp.pe, d.team_id, SUM(d.cost) AS cost
        FROM _eff_spans sp
        JOIN salesops_efficiencyteamday d ON d.day BETWEEN sp.ps AND sp.pe
        WHERE d.day BETWEEN (SELECT min(ps) FROM _eff_spans) AND (SELECT max(pe) FROM _eff_spans)
        GROUP BY sp.period, sp.ps, sp.pe, d.team_id
    ), by_team AS (
        SELECT period, ps, pe, team_id, revenue, cost, won FROM pp WHERE team_id IS NOT NULL
        UNION ALL
        SELECT period, ps, pe, team_id, 0, cost, 0 FROM tp
    )
    SELECT 'person' AS scope_type, pp.person_id AS scope_id, '' AS scope_key,
           period, ps, pe, SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won)::int AS won
    FROM pp GROUP BY pp.person_id, period, ps, pe
    UNION ALL
    SELECT 'team', c.ancestor, '', b.period, b.ps, b.pe, SUM(b.revenue), SUM(b.cost),
           SUM(b.won)::int
    FROM by_team b JOIN closure c ON c.team_id = b.team_id
    GROUP BY c.ancestor, b.period, b.ps, b.pe
    UNION ALL
    SELECT 'role', 0, p.role, pp.period, pp.ps, pp.pe, SUM(pp.revenue), SUM(pp.cost),
           SUM(pp.won)::int
    FROM pp JOIN salesops_person p ON p.id = pp.person_id
    GROUP BY p.role, pp.period, pp.ps, pp.pe
    UNION ALL
    SELECT 'company', 0, '', sp.period, sp.ps, sp.pe,
           COALESCE(a.revenue, 0), COALESCE(a.cost, 0) + COALESCE(b.cost, 0),
           COALESCE(a.won, 0)::int
    FROM _eff_spans sp
    LEFT JOIN (
        SELECT period, ps, pe, SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won) AS won
        FROM pp GROUP BY period, ps, pe
    ) a ON a.period = sp.period AND a.ps = sp.ps AND a.pe = sp.pe
    LEFT JOIN (
        SELECT period, ps, pe, SUM(cost) AS cost FROM tp GROUP BY period, ps, pe
    ) b ON b.period = sp.period AND b.ps = sp.ps AND b.pe = sp.pe
"""

PROVIDER_BODY = """
    SELECT x.scope_type, x.scope_id, '' AS scope_key, sp.period, sp.ps, sp.pe,
           SUM(x.revenue) AS revenue, SUM(x.cost) AS cost, SUM(x.won)::int AS won
    FROM _eff_all_spans sp
    JOIN _eff_provider_days x ON x.day BETWEEN sp.ps AND sp.pe
    GROUP BY x.scope_type, x.scope_id, sp.period, sp.ps, sp.pe
"""

DERIVED_BODY = """
    SELECT s.scope_type, s.scope_id, s.scope_key, dv.period, dv.ps, dv.pe,
           SUM(s.revenue) AS revenue, SUM(s.cost) AS cost, SUM(s.won_deals)::int AS won
    FROM _eff_derived dv
    JOIN salesops_efficiencysnapshot s
      ON s.period = dv.part_period AND s.period_start = dv.part_ps AND s.period_end = dv.part_pe
    WHERE s.scope_type = ANY(%(types)s)
    GROUP BY s.scope_type, s.scope_id, s.scope_key, dv.period, dv.ps, dv.pe
"""

STALE_SQL = """
    DELETE FROM salesops_efficiencysnapshot s USING {table} w
    WHERE s.period = w.period AND s.period_start = w.ps AND s.period_end = w.pe
      AND s.scope_type = ANY(%(types)s) AND s.computed_at <> %(stamp)s
"""


def _insert(body: str, params: dict[str, Any]) -> int:
    return _exec(
        f"INSERT INTO salesops_efficiencysnapshot ({SNAPSHOT_COLUMNS}) "
        f"{_rows_with_ratio(body)} {UPSERT_SQL}",
        params,
    )


def _months_to_recompute(as_of: date, months: list[Span], *, full: bool) -> list[Span]:
    """Closed months with a pending day, or without a snapshot yet (all of them when full)."""
    if not months:
        return months
    first, last = months[0].start, months[-1].end
    pending = _fetch(
        "DELETE FROM salesops_efficiencypendingday WHERE day BETWEEN %s AND %s RETURNING day",
        [first, last],
    )
    pending_days = {row[0] for row in pending}
    if full:
        return months
    existing = {
        row[0]
        for row in _fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start BETWEEN %s AND %s",
            [str(Period.MONTH), first, last],
        )
    }
    return [
        m
        for m in months
        if m.start not in existing or any(m.start <= day <= m.end for day in pending_days)
    ]


def _derived_to_recompute(
    derived: list[Derived], recomputed: set[Span], *, full: bool
) -> list[Derived]:
    if full:
        return derived
    quarters = [d for d in derived if d.span.period == Period.QUARTER]
    existing = {
        row[0]
        for row in _fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start = ANY(%s)",
            [str(Period.QUARTER), [d.span.start for d in quarters]],
        )
    }
    return [
        d
        for d in derived
        if d.span.period != Period.QUARTER
        or d.span.start not in existing
        or any(part in recomputed for part in d.parts)
    ]


def _team_tree_changed_since_last_publish() -> bool:
    rows = _fetch(
        "SELECT EXISTS (SELECT 1 FROM salesops_team t, salesops_efficiencycursor c "
        "WHERE c.name = %s AND t.updated_at > c.watermark - %s), "
        "NOT EXISTS (SELECT 1 FROM salesops_efficiencycursor WHERE name = %s)",
        [PUBLISH_CURSOR, _overlap(), PUBLISH_CURSOR],
    )
    changed, never_published = rows[0]
    return bool(changed or never_published)


FINGERPRINT_CURSOR = "provider:{scope_type}:"


def _providers_unchanged(providers: dict[str, ScopeProvider]) -> bool:
    """Whether every provider has an inputs fingerprint equal to the one of the last publish.

    Records the current fingerprints (as EfficiencyCursor names) for the next publish.
    """
    fingerprints = scope_fingerprints()
    unchanged = True
    for scope_type in sorted(providers):
        prefix = FINGERPRINT_CURSOR.format(scope_type=scope_type)
        fingerprint = fingerprints.get(scope_type)
        if fingerprint is None:
            unchanged = False
            continue
        sql, params = fingerprint()
        name = prefix + _fetch(f"SELECT md5(f::text) FROM ({sql}) f", params)[0][0]
        seen = _fetch(
            "SELECT EXISTS (SELECT 1 FROM salesops_efficiencycursor WHERE name = %s)", [name]
        )[0][0]
        if not seen:
            unchanged = False
            _exec("DELETE FROM salesops_efficiencycursor WHERE starts_with(name, %s)", [prefix])
            _exec(
                "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())",
                [name],
            )
    return unchanged


@transaction.atomic
def snapshots_publish(*, as_of: date, full: bool = False) -> PublishResult:
    """Write S(as_of) from the per-day aggregates, in this one transaction."""
    lock_and_configure(PUBLISH_CURSOR)
    full = full or _team_tree_changed_since_last_publish()
    months = closed_months(as_of)
    derived = derived_spans(as_of)
    base = base_spans(as_of)
    months_now = _months_to_recompute(as_of, months, full=full)
    base_now = [*base, *months_now]
    derived_now = _derived_to_recompute(derived, set(base_now), full=full)
    rows = 0
    # One stamp per publish marks the rows written now; the rest of a recomputed period is stale.
    stamp = timezone.now()

    built_in = {"types": sorted(BUILT_IN_SCOPES), "stamp": stamp}
    _spans_table("_eff_spans", base_now)
    rows += _insert(BUILT_IN_BODY, built_in)
    # Rows of a recomputed period that were not written again belong to scopes without activity
    # any more; they go before the derived sums read the months.
    _exec(STALE_SQL.format(table="_eff_spans"), built_in)

    providers = scope_providers()
    provided = {"types": sorted(providers), "stamp": stamp}
    # Provider scopes follow the built-in ones (only the periods recomputed now) when none of
    # their own inputs changed since the last publish; otherwise every period.
    providers_unchanged = _providers_unchanged(providers)
    provider_base = base_now if providers_unchanged and not full else [*base, *months]
    provider_derived = derived_now if providers_unchanged and not full else derived
    if providers:
        _spans_table("_eff_all_spans", provider_base)
        _exec("DROP TABLE IF EXISTS _eff_provider_days")
        _exec(
            "CREATE TEMP TABLE _eff_provider_days (scope_type text, scope_id bigint, day date, "
            "revenue numeric, cost numeric, won int) ON COMMIT DROP"
        )
        first = min(span.start for span in provider_base)
        for scope_type, provider in sorted(providers.items()):
            sql, params = provider(start=first, end=as_of)
            _exec(
                "INSERT INTO _eff_provider_days SELECT %s, q.* FROM (" + sql + ") q",
                [scope_type, *params],
            )
        rows += _insert(PROVIDER_BODY, provided)
        _exec(STALE_SQL.format(table="_eff_all_spans"), provided)

    # Derived periods: built-in scopes where a part changed, provider scopes likewise unless
    # their inputs changed.
    _derived_table(derived_now)
    rows += _insert(DERIVED_BODY, built_in)
    _exec(STALE_SQL.format(table="_eff_derived"), built_in)
    if providers:
        _derived_table(provider_derived)
        rows += _insert(DERIVED_BODY, provided)
        _exec(STALE_SQL.format(table="_eff_derived"), provided)

    _exec(
        "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now()) "
        "ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark",
        [PUBLISH_CURSOR],
    )
    return PublishResult(
        as_of=as_of, full=full, periods=len(base_now) + len(derived_now), rows=rows
    )
