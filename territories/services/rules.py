"""Assignment rules: validated criteria on account fields (see AssignmentRule)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from territories.models import AssignmentRule, Territory
from territories.services.common import ensure_editable

LIST_FIELDS = ("countries", "regions", "sectors")
TEXT_FIELDS = ("name", "postal_prefix", "postal_from", "postal_to", "name_pattern")
RULE_FIELDS = (
    *LIST_FIELDS,
    *TEXT_FIELDS,
    "priority",
    "employees_min",
    "employees_max",
    "revenue_min",
    "revenue_max",
    "fixed",
)
_POSTAL = re.compile(r"^[A-Za-z0-9 -]*$")
_FORBIDDEN_IN_PATTERN = set("%\\[]")


def _clean_list(field: str, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        raise ValidationError({field: "Give a list of values."})
    items: list[str] = []
    for item in value:
        text = str(item).strip()
        if field == "countries":
            text = text.upper()
            if not re.fullmatch(r"[A-Z]{2}", text):
                raise ValidationError({field: f"'{item}' is not a two-letter country code."})
        if text and text not in items:
            items.append(text)
    return items


def clean_rule_data(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and validate rule fields (partial dicts allowed: only given keys are checked)."""
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({key: "Unknown rule field." for key in sorted(unknown)})
    clean: dict[str, Any] = {}
    for field, value in data.items():
        if field in LIST_FIELDS:
            clean[field] = _clean_list(field, value)
        elif field in TEXT_FIELDS:
            clean[field] = (value or "").strip()
        else:
            clean[field] = value
    for field in ("postal_prefix", "postal_from", "postal_to"):
        if field in clean and not _POSTAL.fullmatch(clean[field]):
            raise ValidationError({field: "Use letters, digits, spaces and hyphens only."})
    pattern = clean.get("name_pattern", "")
    if set(pattern) & _FORBIDDEN_IN_PATTERN:
        raise ValidationError(
            {"name_pattern": "Use * and ? as wildcards; % \\ [ ] are not allowed."}
        )
    for field in ("revenue_min", "revenue_max"):
        if clean.get(field) is not None:
            clean[field] = Decimal(str(clean[field]))
            if clean[field] < 0:
                raise ValidationError({field: "Revenue bounds cannot be negative."})
    for field in ("employees_min", "employees_max"):
        if clean.get(field) is not None and int(clean[field]) < 0:
            raise ValidationError({field: "Employee bounds cannot be negative."})
    return clean


def _check_bounds(rule: AssignmentRule) -> None:
    errors = {}
    if (
        rule.employees_min is not None
        and rule.employees_max is not None
        and rule.employees_max < rule.employees_min
    ):
        errors["employees_max"] = "The upper bound is below the lower bound."
    if (
        rule.revenue_min is not None
        and rule.revenue_max is not None
        and rule.revenue_max < rule.revenue_min
    ):
        errors["revenue_max"] = "The upper bound is below the lower bound."
    if rule.postal_from and rule.postal_to and rule.postal_to < rule.postal_from:
        errors["postal_to"] = "The upper bound is below the lower bound."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_create(*, territory: Territory, **data: Any) -> AssignmentRule:
    ensure_editable(territory.model)
    rule = AssignmentRule(territory=territory, **clean_rule_data(data))
    _check_bounds(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_update(
    *, rule: AssignmentRule, territory: Territory | None = None, **data: Any
) -> AssignmentRule:
    ensure_editable(rule.territory.model)
    if territory is not None:
        if territory.model_id != rule.territory.model_id:
            raise ValidationError({"territory": "A rule stays within its territory model."})
        rule.territory = territory
    for field, value in clean_rule_data(data).items():
        setattr(rule, field, value)
    _check_bounds(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, rule: AssignmentRule) -> None:
    ensure_editable(rule.territory.model)
    rule.delete()
