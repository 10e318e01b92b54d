from salesops.models.costs import CostCategory, CostSource, SalesCost
from salesops.models.jobs import ImportRun, ImportStatus, JobRun, JobStatus
from salesops.models.org import REP_ROLES, Person, Role, Team, TeamStructure
from salesops.models.pipeline import (
    CLOSED_STAGES,
    OPEN_STAGES,
    STAGE_ORDER,
    Account,
    Deal,
    DealSplit,
    Product,
    Stage,
)

__all__ = [
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "REP_ROLES",
    "STAGE_ORDER",
    "Account",
    "CostCategory",
    "CostSource",
    "Deal",
    "DealSplit",
    "ImportRun",
    "ImportStatus",
    "JobRun",
    "JobStatus",
    "Person",
    "Product",
    "Role",
    "SalesCost",
    "Stage",
    "Team",
    "TeamStructure",
]
