"""`manage.py territory_assign`: a run from the command line with a tqdm progress bar."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territories.services import rule_update

pytestmark = pytest.mark.django_db


def test_command_runs_the_active_model_with_a_progress_bar(world, capsys):
    _model, terr = world
    rule_update(rule=terr["B"].rules.get(), countries=["FR", "ES"])
    out = StringIO()
    call_command("territory_assign", stdout=out)
    assert "1 changed" in out.getvalue()
    assert "4/4" in capsys.readouterr().err  # tqdm's bar on stderr: every step done


def test_dry_run_writes_nothing(world):
    model, terr = world
    rule_update(rule=terr["B"].rules.get(), countries=["FR", "ES"])
    out = StringIO()
    call_command("territory_assign", "--model", str(model.pk), "--dry-run", stdout=out)
    call_command("territory_assign", "--model", str(model.pk), "--dry-run", stdout=out)
    assert out.getvalue().count("1 would change") == 2


def test_unknown_model_is_an_error(db):
    with pytest.raises(CommandError, match="No such territory model"):
        call_command("territory_assign", "--model", "999")
