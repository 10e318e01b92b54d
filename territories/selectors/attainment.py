"""Territory attainment: revenue quota (pay data, from compensation's selectors) against the revenue
credited to each territory on the deals' close dates (territories.selectors.credit).

It lives here, not in compensation, so the two apps import one way: territories reads pay's
territory quotas; compensation never imports territories (.importlinter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compensation.selectors import percent, quota_sums
from salesops.selectors.scope import AnyUser, scope_for
from territories.selectors.access import visible_territories
from territories.selectors.credit import credited_revenue_by_territory

ZERO = Decimal(0)


@dataclass(frozen=True)
class TerritoryRow:
    territory_id: int
    quota: Decimal | None
    credited: Decimal
    percent: Decimal | None


def territory_attainment(
    *, user: AnyUser, territory_ids: Iterable[int], start: date, end: date
) -> dict[int, TerritoryRow]:
    """Revenue quota vs credited revenue per territory. Territory quotas are org-level planning
    figures: managers and sales ops see them, reps do not; a manager only for the territories
    they may read."""
    scope = scope_for(user)
    if not scope.everything and not scope.team_ids:
        return {}
    # Scoped like the territories themselves: one the user cannot read (404 there) is left out.
    wanted = list(dict.fromkeys(territory_ids))
    seen = set(visible_territories(user=user).filter(pk__in=wanted).values_list("pk", flat=True))
    ids = [tid for tid in wanted if tid in seen]
    quotas = quota_sums(
        by="territory_id", territory_id__in=ids, period_start__gte=start, period_start__lte=end
    )
    credited = credited_revenue_by_territory(ids, start, end)
    return {
        tid: TerritoryRow(
            territory_id=tid,
            quota=quotas.get(tid),
            credited=credited.get(tid, ZERO),
            percent=percent(credited.get(tid, ZERO), quotas.get(tid)),
        )
        for tid in ids
    }
