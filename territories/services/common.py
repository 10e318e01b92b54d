"""Guards shared by the territory services."""

from __future__ import annotations

from salesops.exceptions import ApplicationError
from territories.models import TerritoryModel


def ensure_editable(model: TerritoryModel) -> None:
    """Archived models are read-only."""
    if not model.is_editable:
        raise ApplicationError(f"Territory model '{model.name}' is archived and read-only.")


def lock_model(model_id: int) -> TerritoryModel:
    """Serialise writers of one model (assignment runs, activation) on its row."""
    return TerritoryModel.objects.select_for_update().get(pk=model_id)
