"""The manager's efficiency trend on the demo data after `compute_efficiency --history-months 12`
(what `make run` does before the first page is opened): a year of daily points, real snapshots."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from salesops.models import EfficiencySnapshot

# Each business date in its own committed transaction, as the command runs in `make run`.
pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_trend_shows_a_year_of_daily_points_after_the_history_command(
    client_for: Any,
) -> None:
    call_command("seed_demo", "--scale", "small", verbosity=0)
    call_command("compute_efficiency", "--history-months", "12", verbosity=0)
    manager = get_user_model().objects.get(username="manager")
    response = client_for(manager).get("/dashboard/")
    trend = response.context["trend"]
    assert trend["days"] >= 360
    chart = trend["chart"]
    assert len(chart["labels"]) == trend["days"]
    team_line = chart["series"][0]  # the manager's own team(s) first, then the top earners
    assert sum(value is not None for value in team_line["values"]) >= 360
    # Every point is a computed snapshot of the trend's period, none made up.
    assert EfficiencySnapshot.objects.filter(period="t90", scope_type="team").values(
        "period_end"
    ).distinct().count() >= len(chart["labels"])
    html = response.content.decode()
    assert 'id="trend-data"' in html and "compute_efficiency" not in html
