"""The core's SQL vocabulary, for the set-based SQL other apps compose over the core's data (the
territories' assignment-history joins, the dashboard's people table).

Those apps name the core's tables through these constants and take its rules as fragments
(`salesops.selectors.credit`: CREDIT_SQL, credit_sql_where()), never by spelling `salesops_*`
themselves, so what the core's tables are called and how a deal is credited stay defined here
(tests/test_sql_parameters.py checks that no other app spells them).
"""

from __future__ import annotations

from salesops.models import Account, Deal, DealSplit, EfficiencySnapshot, Person, SalesCost, Team

ACCOUNTS = Account._meta.db_table
DEALS = Deal._meta.db_table
SPLITS = DealSplit._meta.db_table
COSTS = SalesCost._meta.db_table
PEOPLE = Person._meta.db_table
TEAMS = Team._meta.db_table
SNAPSHOTS = EfficiencySnapshot._meta.db_table
