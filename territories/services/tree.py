"""Territories inside a model: a materialised-path tree (`/id/id/…/`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from salesops.exceptions import ApplicationError
from territories.models import Territory, TerritoryModel, TerritoryType
from territories.services.common import ensure_editable

_UNSET = object()


def _check_name(
    *, model: TerritoryModel, parent: Territory | None, name: str, pk: int | None
) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A territory needs a name."})
    clash = Territory.objects.filter(model=model, parent=parent, name__iexact=name)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if clash.exists():
        raise ValidationError({"name": f"'{name}' already exists at this level of the tree."})
    return name


@transaction.atomic
def territory_create(
    *,
    model: TerritoryModel,
    name: str,
    parent: Territory | None = None,
    type: str = TerritoryType.GEOGRAPHIC,
) -> Territory:
    ensure_editable(model)
    if parent is not None and parent.model_id != model.pk:
        raise ValidationError({"parent": "The parent belongs to another territory model."})
    if type not in TerritoryType.values:
        raise ValidationError({"type": f"Unknown territory type '{type}'."})
    name = _check_name(model=model, parent=parent, name=name, pk=None)
    territory = Territory.objects.create(
        model=model,
        parent=parent,
        name=name,
        type=type,
        depth=0 if parent is None else parent.depth + 1,
    )
    territory.path = f"{parent.path if parent else '/'}{territory.pk}/"
    territory.save(update_fields=["path"])
    return territory


def paths_fill(*, model_id: int) -> None:
    """Compute `path` and `depth` for a model's territories created in bulk (parents first).

    One UPDATE per tree level (levels are few), each set-based over the whole level.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE territories_territory SET path = '/' || CAST(id AS TEXT) || '/', depth = 0 "
            "WHERE model_id = %s AND parent_id IS NULL",
            [model_id],
        )
        depth = 0
        while True:
            cursor.execute(
                """
                UPDATE territories_territory SET
                    path = (
                        SELECT p.path FROM territories_territory p
                        WHERE p.id = territories_territory.parent_id
                    ) || CAST(id AS TEXT) || '/',
                    depth = %s
                WHERE model_id = %s AND parent_id IN (
                    SELECT id FROM territories_territory
                    WHERE model_id = %s AND depth = %s AND path <> ''
                )
                """,
                [depth + 1, model_id, model_id, depth],
            )
            if cursor.rowcount == 0:
                break
            depth += 1


@transaction.atomic
def territory_update(
    *,
    territory: Territory,
    name: str | None = None,
    type: str | None = None,
    parent: Territory | object | None = _UNSET,
) -> Territory:
    """Rename, retype or move a territory; a move re-paths its whole subtree in one UPDATE."""
    model = territory.model
    ensure_editable(model)
    new_parent = territory.parent if parent is _UNSET else parent
    assert new_parent is None or isinstance(new_parent, Territory)
    if new_parent is not None:
        if new_parent.model_id != territory.model_id:
            raise ValidationError({"parent": "The parent belongs to another territory model."})
        if new_parent.path.startswith(territory.path):
            raise ValidationError({"parent": "A territory cannot move under itself."})
    if name is not None:
        territory.name = _check_name(model=model, parent=new_parent, name=name, pk=territory.pk)
    if type is not None:
        if type not in TerritoryType.values:
            raise ValidationError({"type": f"Unknown territory type '{type}'."})
        territory.type = type
    moved = (new_parent.pk if new_parent else None) != territory.parent_id
    if moved:
        old_path = territory.path
        new_path = f"{new_parent.path if new_parent else '/'}{territory.pk}/"
        delta = (0 if new_parent is None else new_parent.depth + 1) - territory.depth
        Territory.objects.filter(model=model, path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=F("depth") + delta,
        )
        territory.parent = new_parent
        territory.path = new_path
        territory.depth += delta
    territory.save()
    return territory


@transaction.atomic
def territory_delete(*, territory: Territory) -> None:
    """Delete a territory and its subtree (rules, pins, coverage and assignment rows go with it).

    Only on planning models: an active model keeps its history for deal territories.
    """
    ensure_editable(territory.model)
    if territory.model.state != "planning":
        raise ApplicationError("Territories can only be deleted from a planning model.")
    Territory.objects.filter(model=territory.model, path__startswith=territory.path).delete()
