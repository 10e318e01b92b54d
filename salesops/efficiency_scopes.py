"""Plug-in scopes for the efficiency engine (e.g. territories), without the core importing them.

A provider is a callable `daily_rows_sql(*, start: date, end: date) -> tuple[str, list[object]]`
returning one SQL query (and its parameters) whose rows are

    (scope_id bigint, day date, revenue numeric, cost numeric, won_deals int)

for the days in [start, end]: revenue must come from `salesops.selectors.credit.CREDIT_SQL`
(never a second copy of split logic). Several rows per (scope_id, day) are fine; they are summed.
The engine folds these rows into snapshots of `scope_type` for every period, exactly like the
built-in scopes. Providers are re-read in full on every run (incremental or not), because the
engine cannot see what changed in the provider's own tables.

Register from your AppConfig.ready():

    register_scope_provider("territory", territory_daily_rows_sql)
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class ScopeProvider(Protocol):
    def __call__(self, *, start: date, end: date) -> tuple[str, list[object]]: ...


BUILT_IN_SCOPES = frozenset({"company", "team", "person", "role"})
_providers: dict[str, ScopeProvider] = {}


def register_scope_provider(scope_type: str, provider: ScopeProvider) -> None:
    if scope_type in BUILT_IN_SCOPES:
        raise ValueError(f"'{scope_type}' is a built-in scope; pick another name.")
    if len(scope_type) > 20:
        raise ValueError("A scope type has at most 20 characters.")
    _providers[scope_type] = provider


def unregister_scope_provider(scope_type: str) -> None:
    _providers.pop(scope_type, None)


def scope_providers() -> dict[str, ScopeProvider]:
    return dict(_providers)
