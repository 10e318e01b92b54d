"""The plug-in scopes' cached days (EfficiencyScopeDay): which providers must rebuild theirs (a
full run, or inputs whose fingerprint changed since the days were built) and the refresh of the
cache from each provider's SQL (salesops.efficiency_scopes): every day from the horizon on, or
only the changed days."""

from __future__ import annotations

from datetime import date

from django.db import connection
from psycopg2 import sql

from salesops.efficiency_scopes import ScopeProvider, scope_fingerprints, scope_won_deals_providers
from salesops.services.efficiency.db import execute, fetch
from salesops.services.efficiency.snapshot_sql import SCOPE_DAY_INSERT

# Named after what the cursor vouches for: the scope's cached days were built under this
# fingerprint of its own inputs ("scope-days:<scope type>:<md5>").
FINGERPRINT_CURSOR = "scope-days:"


def _fingerprint_cursor(scope_type: str) -> str:
    return FINGERPRINT_CURSOR + scope_type + ":"


def providers_to_rebuild(providers: dict[str, ScopeProvider], *, full: bool) -> set[str]:
    """Scope types whose cached days must be rebuilt from scratch: all of them when `full`;
    otherwise those without an inputs fingerprint, or whose fingerprint differs from the one
    their days were built under (none recorded yet included).

    Records the current fingerprints (as EfficiencyCursor names) for the next publish.
    """
    fingerprints = scope_fingerprints()
    rebuild = set(providers) if full else set()
    for scope_type in sorted(providers):
        prefix = _fingerprint_cursor(scope_type)
        fingerprint = fingerprints.get(scope_type)
        if fingerprint is None:
            rebuild.add(scope_type)
            continue
        query, params = fingerprint()
        digest = sql.SQL("SELECT md5(f::text) FROM ({}) f").format(sql.SQL(query))
        name = prefix + fetch(digest, params)[0][0]
        seen = fetch(
            "SELECT EXISTS (SELECT 1 FROM salesops_efficiencycursor WHERE name = %s)", [name]
        )[0][0]
        if not seen:
            rebuild.add(scope_type)
            execute("DELETE FROM salesops_efficiencycursor WHERE starts_with(name, %s)", [prefix])
            execute(
                "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())",
                [name],
            )
    return rebuild


def scope_days_clear(providers: dict[str, ScopeProvider], rebuild: set[str]) -> None:
    """Empty the cached days of the scope types in `rebuild`. When every registered scope type is
    rebuilt (a full run), the cache is truncated: deleting its rows one by one left their dead
    copies for the next statements to scan (the table was twenty times its live size after a few
    full runs), and rows of a provider no longer registered go too."""
    if providers and rebuild >= set(providers):
        execute("TRUNCATE salesops_efficiencyscopeday")
        return
    for scope_type in sorted(rebuild & set(providers)):
        execute("DELETE FROM salesops_efficiencyscopeday WHERE scope_type = %s", [scope_type])


def won_deals_scope_days(
    providers: dict[str, ScopeProvider], *, rebuild: set[str], horizon: date | None, won_deals: str
) -> tuple[sql.Composed, frozenset[str]]:
    """WITH items (each ending in a comma) of a full rebuild's statement that write the cached
    days of every scope type in `rebuild` registered `from_won_deals` from `won_deals`, the
    statement's every won deal from the horizon on (id, account_id, day, revenue: person_days
    .WON_DEALS), instead of the provider joining and grouping deals and splits again; and those
    scope types. Their days must have been cleared (scope_days_clear)."""
    items: list[sql.Composable] = []
    filled: set[str] = set()
    for scope_type in sorted(rebuild & set(providers)):
        from_won_deals = scope_won_deals_providers().get(scope_type)
        if from_won_deals is None:
            continue
        query, params = from_won_deals(won_deals=won_deals, start=horizon or date.min, end=date.max)
        insert = SCOPE_DAY_INSERT.format(sql=sql.SQL(query), where=sql.SQL("TRUE"))
        items.append(
            sql.SQL("{} AS ({}),").format(
                sql.Identifier(f"scope_days_{len(items)}"), bound(insert, [scope_type, *params])
            )
        )
        filled.add(scope_type)
    return sql.SQL(" ").join(items), frozenset(filled)


def bound(query: sql.Composable, params: list[object]) -> sql.SQL:
    """`query` with its positional parameters bound (psycopg2's quoting), as SQL text that can sit
    inside a statement with named parameters (its own % signs doubled)."""
    with connection.cursor() as cur:
        text = cur.cursor.mogrify(query, params).decode()
    return sql.SQL(text.replace("%", "%%"))


def scope_days_refresh(
    providers: dict[str, ScopeProvider],
    *,
    rebuild: set[str],
    pending: list[date],
    horizon: date | None,
    filled: frozenset[str] | None = None,
) -> None:
    """Bring the cached provider days up to date: every day from the `horizon` on (None: every
    day) of a scope type in `rebuild`, else only the `pending` days (those whose deals, splits or
    costs changed) from the horizon on.

    `filled`: None, or the scope types of `rebuild` whose days this transaction already wrote
    (won_deals_scope_days) after clearing the days of all of `rebuild` (scope_days_clear)."""
    if filled is None:
        scope_days_clear(providers, rebuild)
    pending = [day for day in pending if horizon is None or day >= horizon]
    for scope_type, provider in sorted(providers.items()):
        if filled is not None and scope_type in filled:
            continue
        if scope_type in rebuild:
            query, params = provider(start=horizon or date.min, end=date.max)
            execute(
                SCOPE_DAY_INSERT.format(sql=sql.SQL(query), where=sql.SQL("TRUE")),
                [scope_type, *params],
            )
        elif pending:
            execute(
                "DELETE FROM salesops_efficiencyscopeday WHERE scope_type = %s AND day = ANY(%s)",
                [scope_type, pending],
            )
            query, params = provider(start=pending[0], end=pending[-1])
            execute(
                SCOPE_DAY_INSERT.format(sql=sql.SQL(query), where=sql.SQL("q.day = ANY(%s)")),
                [scope_type, *params, pending],
            )
