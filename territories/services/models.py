"""Territory models: create, clone into planning, activate (one atomic switch), archive."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from salesops import calendar
from salesops.exceptions import ApplicationError
from territories.models import AccountTerritory, ModelState, TerritoryModel
from territories.services.assignment import territory_assignments_run
from territories.services.common import ensure_editable, lock_model
from territories.services.tree import paths_fill


def territory_model_create(*, name: str, description: str = "") -> TerritoryModel:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A territory model needs a name."})
    return TerritoryModel.objects.create(name=name, description=description)


def territory_model_update(
    *, model: TerritoryModel, name: str | None = None, description: str | None = None
) -> TerritoryModel:
    """Rename or re-describe a model; archived models are read-only."""
    ensure_editable(model)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": "A territory model needs a name."})
        model.name = name.strip()
    if description is not None:
        model.description = description
    model.save(update_fields=["name", "description", "updated_at"])
    return model


@transaction.atomic
def territory_model_delete(*, model: TerritoryModel) -> None:
    """Delete a planning model (a what-if nobody uses); live and archived models are history."""
    locked = lock_model(model.pk)
    if locked.state != ModelState.PLANNING:
        raise ApplicationError("Only a planning model can be deleted; archive history stays.")
    locked.delete()


@transaction.atomic
def territory_model_clone(
    *, source: TerritoryModel, name: str, on: date | None = None
) -> TerritoryModel:
    """A planning copy of `source`: tree, rules, pins and current/future coverage, then a run.

    Set-based (one INSERT … SELECT per table); each copied territory remembers its original in
    `copied_from`, which the preview uses to tell a move from a stay.
    """
    today = on or calendar.company_today()
    now = timezone.now()
    target = territory_model_create(name=name, description=f"Copy of {source.name}")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO territories_territory (model_id, parent_id, name, type, path, depth,
                                               copied_from_id, created_at, updated_at)
            SELECT %s, NULL, name, type, '', depth, id, %s, %s
            FROM territories_territory WHERE model_id = %s
            """,
            [target.pk, now, now, source.pk],
        )
        cursor.execute(
            """
            UPDATE territories_territory SET parent_id = (
                SELECT np.id FROM territories_territory np
                JOIN territories_territory o ON np.copied_from_id = o.parent_id
                WHERE o.id = territories_territory.copied_from_id AND np.model_id = %s
            ) WHERE model_id = %s
            """,
            [target.pk, target.pk],
        )
        paths_fill(model_id=target.pk)
        cursor.execute(
            """
            INSERT INTO territories_assignmentrule (
                territory_id, name, priority, countries, regions, sectors, postal_prefix,
                postal_from, postal_to, employees_min, employees_max, revenue_min, revenue_max,
                name_pattern, fixed, created_at, updated_at)
            SELECT n.id, r.name, r.priority, r.countries, r.regions, r.sectors, r.postal_prefix,
                   r.postal_from, r.postal_to, r.employees_min, r.employees_max, r.revenue_min,
                   r.revenue_max, r.name_pattern, r.fixed, %s, %s
            FROM territories_assignmentrule r
            JOIN territories_territory n ON n.copied_from_id = r.territory_id
            WHERE n.model_id = %s
            """,
            [now, now, target.pk],
        )
        cursor.execute(
            """
            INSERT INTO territories_pin (model_id, account_id, kind, territory_id, source,
                                         reason, created_by_id, created_at)
            SELECT %s, p.account_id, p.kind, n.id, p.source, p.reason, p.created_by_id, %s
            FROM territories_pin p LEFT JOIN territories_territory n
                 ON n.copied_from_id = p.territory_id AND n.model_id = %s
            WHERE p.model_id = %s
            """,
            [target.pk, now, target.pk, source.pk],
        )
        cursor.execute(
            """
            INSERT INTO territories_territoryassignment (territory_id, person_id, role,
                effective_from, effective_to, created_at)
            SELECT n.id, c.person_id, c.role, c.effective_from, c.effective_to, %s
            FROM territories_territoryassignment c
            JOIN territories_territory n ON n.copied_from_id = c.territory_id
            WHERE n.model_id = %s AND (c.effective_to IS NULL OR c.effective_to >= %s)
            """,
            [now, target.pk, today],
        )
    territory_assignments_run(model=target, on=today)
    return target


def _close_history(*, model: TerritoryModel, today: date) -> None:
    open_rows = AccountTerritory.objects.filter(model=model, valid_to__isnull=True)
    open_rows.filter(valid_from__gte=today).delete()
    open_rows.update(valid_to=today)


@transaction.atomic
def territory_model_archive(*, model: TerritoryModel, on: date | None = None) -> TerritoryModel:
    """Archive a model: read-only from now on; its open assignment rows end today."""
    today = on or calendar.company_today()
    locked = lock_model(model.pk)
    if locked.state == ModelState.ARCHIVED:
        return locked
    if locked.state == ModelState.ACTIVE:
        _close_history(model=locked, today=today)
    else:
        AccountTerritory.objects.filter(model=locked).delete()
    locked.state = ModelState.ARCHIVED
    locked.archived_on = today
    locked.save(update_fields=["state", "archived_on", "updated_at"])
    return locked


@transaction.atomic
def territory_model_activate(*, model: TerritoryModel, on: date | None = None) -> TerritoryModel:
    """Make a planning model the active one in one transaction; the old active one is archived.

    The planning model is re-assigned first, so activation does exactly what its preview showed.
    Its planning-phase history is discarded: live history starts today.
    """
    today = on or calendar.company_today()
    locked = lock_model(model.pk)
    if locked.state != ModelState.PLANNING:
        raise ApplicationError("Only a planning model can be activated.")
    territory_assignments_run(model=locked, on=today)
    current = TerritoryModel.objects.select_for_update().filter(state=ModelState.ACTIVE).first()
    if current is not None:
        territory_model_archive(model=current, on=today)
    AccountTerritory.objects.filter(model=locked, valid_to__isnull=False).delete()
    AccountTerritory.objects.filter(model=locked).update(valid_from=today)
    locked.state = ModelState.ACTIVE
    locked.activated_on = today
    locked.archived_on = None
    locked.save(update_fields=["state", "activated_on", "archived_on", "updated_at"])
    return locked
