"""Panels fed by the other apps' selectors (efficiency, compensation, meetings, territories).

Each panel is None until its app provides the data; the templates then show an honest empty state
("Meetings are not set up yet") instead of made-up figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesops.dashboard.periods import Period
from salesops.dashboard.scopes import DashboardScope
from salesops.dashboard.selectors import PeopleTable
from salesops.models import Person
from salesops.selectors.scope import AnyUser


def team_panels(
    *, scope: DashboardScope, period: Period, people: PeopleTable, today: date
) -> dict[str, Any]:
    return {
        "trend": None,
        "attainment": None,
        "meeting_load": None,
        "territory_balance": None,
    }


def personal_panels(*, user: AnyUser, person: Person, today: date) -> dict[str, Any]:
    return {
        "quota": None,
        "statement": None,
        "meetings": None,
        "action_items": None,
        "notifications": None,
    }
