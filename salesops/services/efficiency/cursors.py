"""What the per-day tables were built under, kept as EfficiencyCursor rows: the horizon (the
first day they hold) and the credit rule (which won deals credit). A run reads them to decide
whether it can refresh incrementally; a full rebuild of everyone records them."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from salesops.services.efficiency.db import execute, fetch

HORIZON_CURSOR = "horizon"
# The first day the person-day table holds; the days from the horizon up to it are kept per person
# and fiscal month (salesops_efficiencypersonmonth). None: every day is kept per day.
DAY_HORIZON_CURSOR = "day-horizon"
# Which won deals credit (salesops.selectors.credit.credit_sql_where): the per-day rows were built
# under the rule named in the cursor "credit-rule:<rule>"; another rule needs a full rebuild.
CREDIT_RULE_PREFIX = "credit-rule:"


def horizon_recorded() -> date | None:
    """The first day the per-day tables hold; None: every day (no horizon recorded)."""
    rows = fetch("SELECT day FROM salesops_efficiencycursor WHERE name = %s", [HORIZON_CURSOR])
    return rows[0][0] if rows else None


def day_horizon_recorded() -> date | None:
    """The first day the person-day table holds (earlier days are kept per month); None: every
    day from the horizon on is kept per day."""
    rows = fetch("SELECT day FROM salesops_efficiencycursor WHERE name = %s", [DAY_HORIZON_CURSOR])
    return rows[0][0] if rows else None


def horizon_record(horizon: date | None, day_horizon: date | None = None) -> None:
    """Record the horizon and the day horizon a full rebuild of everyone keeps (None: forget)."""
    for name, day in ((HORIZON_CURSOR, horizon), (DAY_HORIZON_CURSOR, day_horizon)):
        if day is None:
            execute("DELETE FROM salesops_efficiencycursor WHERE name = %s", [name])
            continue
        execute(
            """
            INSERT INTO salesops_efficiencycursor (name, watermark, day)
            VALUES (%(name)s, now(), %(day)s)
            ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark, day = EXCLUDED.day
            """,
            {"name": name, "day": day},
        )


def credit_rule() -> str:
    """The credit rule the settings ask for now (COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION)."""
    if getattr(settings, "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", True):
        return "all-won"
    return "confirmed-only"


def credit_rule_recorded() -> str:
    """The rule the per-day tables were built under (before it was recorded: every won deal)."""
    rows = fetch(
        "SELECT name FROM salesops_efficiencycursor WHERE name LIKE %s ORDER BY name LIMIT 1",
        [f"{CREDIT_RULE_PREFIX}%"],
    )
    return "all-won" if not rows else str(rows[0][0]).removeprefix(CREDIT_RULE_PREFIX)


def credit_rule_record() -> None:
    execute("DELETE FROM salesops_efficiencycursor WHERE name LIKE %s", [f"{CREDIT_RULE_PREFIX}%"])
    execute(
        "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())",
        [f"{CREDIT_RULE_PREFIX}{credit_rule()}"],
    )
