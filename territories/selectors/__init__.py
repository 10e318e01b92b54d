"""Every user-facing read of the territories app, scoped by user (404 outside scope)."""

from territories.selectors.access import (
    coverage_get,
    model_get,
    pin_get,
    rule_get,
    territory_accounts,
    territory_get,
    territory_q,
    unassigned_accounts,
    visible_coverage,
    visible_models,
    visible_pins,
    visible_rules,
    visible_territories,
)
from territories.selectors.history import account_territory_on, deal_territories
from territories.selectors.metrics import Balance, SiblingGroup, TerritoryMetrics, territory_metrics
from territories.selectors.rebalance import Proposal, rebalance_propose

__all__ = [
    "Balance",
    "Proposal",
    "SiblingGroup",
    "TerritoryMetrics",
    "account_territory_on",
    "coverage_get",
    "deal_territories",
    "model_get",
    "pin_get",
    "rebalance_propose",
    "rule_get",
    "territory_accounts",
    "territory_get",
    "territory_metrics",
    "territory_q",
    "unassigned_accounts",
    "visible_coverage",
    "visible_models",
    "visible_pins",
    "visible_rules",
    "visible_territories",
]
