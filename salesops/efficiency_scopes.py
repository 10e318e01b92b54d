"""Plug-in scopes for the efficiency engine (e.g. territories), without the core importing them.

A provider is a callable `daily_rows_sql(*, start: date, end: date) -> tuple[str, list[object]]`
returning one SQL query (and its parameters) whose rows are

    (scope_id bigint, day date, revenue numeric, cost numeric, won_deals int)

for the days in [start, end]: revenue must come from `salesops.selectors.credit.CREDIT_SQL`
(never a second copy of split logic). Several rows per (scope_id, day) are fine; they are summed.
The engine folds these rows into snapshots of `scope_type` for every period, exactly like the
built-in scopes.

The engine caches the rows per (scope_type, scope_id, day) (EfficiencyScopeDay). Incremental
runs: the engine sees changes to deals, splits and costs (the changed days), not to the
provider's own tables. A provider may therefore register an `inputs_fingerprint` too: a callable
`() -> tuple[str, list[object]]` returning SQL of one row whose text changes whenever any of the
provider's own inputs (besides deals, splits, costs) changes. While the fingerprint stays the same
as when the cache was built, an incremental run asks the provider only for the changed days
(`start`/`end` span them; rows of other days are ignored) and recomputes its scope for the periods
the built-in scopes recompute; otherwise, without a fingerprint, or in a full run, the provider is
asked for every day the engine keeps (`start` = the first day of its per-day tables, or
`date.min`; `end=date.max`) and its scope recomputed for every period.

A provider whose rows come from won deals may also register `from_won_deals`: a callable
`(*, won_deals: str, start, end) -> tuple[str, list[object]]` returning the same rows from the
table named `won_deals` (id, account_id, day, revenue: one row per won deal that has splits, its
credit summed over them by the credit rule in force), which a full run fills as it reads the deals
for the built-in scopes; the full run then asks it instead, so the deals and splits are read once.
Register from your AppConfig.ready():

    register_scope_provider("territory", territory_daily_rows_sql, inputs_fingerprint=fp_sql)
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class ScopeProvider(Protocol):
    def __call__(self, *, start: date, end: date) -> tuple[str, list[object]]: ...


class InputsFingerprint(Protocol):
    def __call__(self) -> tuple[str, list[object]]: ...


class WonDealsProvider(Protocol):
    def __call__(self, *, won_deals: str, start: date, end: date) -> tuple[str, list[object]]: ...


BUILT_IN_SCOPES = frozenset({"company", "team", "person", "role"})
_providers: dict[str, ScopeProvider] = {}
_fingerprints: dict[str, InputsFingerprint] = {}
_from_won_deals: dict[str, WonDealsProvider] = {}


def register_scope_provider(
    scope_type: str,
    provider: ScopeProvider,
    *,
    inputs_fingerprint: InputsFingerprint | None = None,
    from_won_deals: WonDealsProvider | None = None,
) -> None:
    if scope_type in BUILT_IN_SCOPES:
        raise ValueError(f"'{scope_type}' is a built-in scope; pick another name.")
    if len(scope_type) > 20:
        raise ValueError("A scope type has at most 20 characters.")
    _providers[scope_type] = provider
    if inputs_fingerprint is None:
        _fingerprints.pop(scope_type, None)
    else:
        _fingerprints[scope_type] = inputs_fingerprint
    if from_won_deals is None:
        _from_won_deals.pop(scope_type, None)
    else:
        _from_won_deals[scope_type] = from_won_deals


def unregister_scope_provider(scope_type: str) -> None:
    _providers.pop(scope_type, None)
    _fingerprints.pop(scope_type, None)
    _from_won_deals.pop(scope_type, None)


def scope_providers() -> dict[str, ScopeProvider]:
    return dict(_providers)


def scope_fingerprints() -> dict[str, InputsFingerprint]:
    return dict(_fingerprints)


def scope_won_deals_providers() -> dict[str, WonDealsProvider]:
    return dict(_from_won_deals)
