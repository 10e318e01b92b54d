"""The rep's plan acknowledgement box on their pay page (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from compensation.models import PlanVersion
from compensation.selectors.acknowledgements import acknowledgement_get
from salesops.models import Person

register = template.Library()


@register.inclusion_tag("compensation/_acknowledge.html")
def plan_acknowledgement(person: Person, version: PlanVersion) -> dict[str, Any]:
    return {
        "person": person,
        "version": version,
        "acknowledgement": acknowledgement_get(person_id=person.pk, version_id=version.pk),
    }
