"""The check of stored plan versions against the strict plan format, run by a data migration:
an invalid version stops the migration with its plan, number and the JSON pointers to fix."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from compensation.engine.parse import parse_plan


def check_plan_versions(apps: Any, schema_editor: Any) -> None:
    """Fail loudly (RuntimeError listing every invalid version) rather than pay by a plan other
    than the one sales ops wrote; fix the definitions (a draft in the editor, an approved one by
    hand with its history) and migrate again."""
    version_model = apps.get_model("compensation", "PlanVersion")
    problems = []
    for version in version_model.objects.select_related("plan").order_by("plan__name", "number"):
        try:
            parse_plan(version.definition)
        except ValidationError as exc:
            where = "; ".join(
                f"{ptr}: {' '.join(msgs)}" for ptr, msgs in sorted(exc.message_dict.items())
            )
            problems.append(
                f"plan '{version.plan.name}' v{version.number} (id {version.pk}, "
                f"{version.status}): {where}"
            )
    if problems:
        raise RuntimeError(
            "Stored plan versions do not pass the strict plan format:\n  " + "\n  ".join(problems)
        )
