"""Dashboard figures from the core data, set-based: each function is a fixed number of aggregate
queries whatever the size of the scope (no per-person loop over queries). One module per concern:

- `tiles`: the headline tiles (revenue, cost, ratio, magic number, win rates, pipeline);
- `funnel`: deals per stage and the stage-to-stage funnel;
- `monthly`: revenue, cost and ratio per fiscal month (the chart);
- `deal_lists`: stuck deals, a rep's open deals and follow-ups;
- the people table is dashboard.people.

Revenue is credited won value through `salesops.selectors.credit` only; cost is the sales-cost
ledger; ratios through `salesops.formulas`. People are counted in the team they are in today.
"""

from __future__ import annotations

from dashboard.figures import ZERO, win_rate
from dashboard.people import PeopleTable, PersonRow, dashboard_people
from dashboard.selectors.deal_lists import (
    FollowUp,
    MyDeals,
    StuckDeals,
    dashboard_stuck_deals,
    my_follow_ups,
    my_open_deals,
)
from dashboard.selectors.funnel import Funnel, FunnelStep
from dashboard.selectors.monthly import MonthlySeries, dashboard_monthly
from dashboard.selectors.tiles import Tiles, dashboard_tiles

__all__ = [
    "ZERO",
    "FollowUp",
    "Funnel",
    "FunnelStep",
    "MonthlySeries",
    "MyDeals",
    "PeopleTable",
    "PersonRow",
    "StuckDeals",
    "Tiles",
    "dashboard_monthly",
    "dashboard_people",
    "dashboard_stuck_deals",
    "dashboard_tiles",
    "my_follow_ups",
    "my_open_deals",
    "win_rate",
]
