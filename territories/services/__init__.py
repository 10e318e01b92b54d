"""Every write of the territories app. See docs/territories.md for the rules they keep."""

from territories.services.assignment import (
    AssignmentRunResult,
    on_accounts_changed,
    territory_assignments_nightly,
    territory_assignments_run,
)
from territories.services.coverage import coverage_assign, coverage_end, coverage_remove
from territories.services.models import (
    territory_model_activate,
    territory_model_archive,
    territory_model_clone,
    territory_model_create,
    territory_model_delete,
    territory_model_update,
)
from territories.services.pins import pin_remove, pin_set
from territories.services.rebalance import rebalance_apply
from territories.services.rules import rule_create, rule_delete, rule_update
from territories.services.tree import territory_create, territory_delete, territory_update

__all__ = [
    "AssignmentRunResult",
    "coverage_assign",
    "coverage_end",
    "coverage_remove",
    "on_accounts_changed",
    "pin_remove",
    "pin_set",
    "rebalance_apply",
    "rule_create",
    "rule_delete",
    "rule_update",
    "territory_assignments_nightly",
    "territory_assignments_run",
    "territory_create",
    "territory_delete",
    "territory_model_activate",
    "territory_model_archive",
    "territory_model_clone",
    "territory_model_create",
    "territory_model_delete",
    "territory_model_update",
    "territory_update",
]
