"""Input and output serializers of the compensation API (separate, as the house style asks), one
module per concern (issue 25: the single module had passed 500 lines). Everything is re-exported
here, so `from compensation.api import serializers as s; s.QuotaOutput` keeps working."""

from __future__ import annotations

from compensation.api.serializers.fields import (
    PeriodField,
    PlanDefinitionField,
)
from compensation.api.serializers.plans import (
    AssignmentEndInput,
    AssignmentInput,
    AssignmentOutput,
    PlanCreateInput,
    PlanOutput,
    PlanVersionCreateInput,
    PlanVersionOutput,
    PlanVersionUpdateInput,
)
from compensation.api.serializers.quotas import (
    AttainmentOutput,
    QuotaOutput,
    QuotaSetInput,
    QuotaUpdateInput,
    TeamAttainmentOutput,
)
from compensation.api.serializers.simulator import (
    SimulatedDealInput,
    SimulatedLineOutput,
    SimulateInput,
    SimulateOutput,
)
from compensation.api.serializers.statements import (
    AdjustmentInput,
    AdjustmentOutput,
    DisputeInput,
    DisputeOutput,
    DisputeResolveInput,
    EnteredByOutput,
    GenerateInput,
    GenerateOutput,
    ReversalInput,
    StatementDetailOutput,
    StatementLineOutput,
    StatementOutput,
)

__all__ = [
    "AdjustmentInput",
    "AdjustmentOutput",
    "AssignmentEndInput",
    "AssignmentInput",
    "AssignmentOutput",
    "AttainmentOutput",
    "DisputeInput",
    "DisputeOutput",
    "DisputeResolveInput",
    "EnteredByOutput",
    "GenerateInput",
    "GenerateOutput",
    "PeriodField",
    "PlanCreateInput",
    "PlanDefinitionField",
    "PlanOutput",
    "PlanVersionCreateInput",
    "PlanVersionOutput",
    "PlanVersionUpdateInput",
    "QuotaOutput",
    "QuotaSetInput",
    "QuotaUpdateInput",
    "ReversalInput",
    "SimulateInput",
    "SimulateOutput",
    "SimulatedDealInput",
    "SimulatedLineOutput",
    "StatementDetailOutput",
    "StatementLineOutput",
    "StatementOutput",
    "TeamAttainmentOutput",
]
