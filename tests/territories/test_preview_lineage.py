"""The preview of a copy compares against the live model's assignments, whatever it was copied
from: a territory and the live model's territory of the same lineage (copies of one original)
are the same territory, so unchanged rules are 0 moves."""

from __future__ import annotations

import pytest

from territories.models import ModelState
from territories.services import (
    rule_update,
    territory_model_activate,
    territory_model_clone,
)
from territories.services.preview import territory_model_preview

pytestmark = pytest.mark.django_db


def _archive_live_by_activating_a_copy(model):
    successor = territory_model_clone(source=model, name="Successor")
    territory_model_activate(model=successor)
    model.refresh_from_db()
    assert model.state == ModelState.ARCHIVED
    return successor


def test_archived_copy_preview_shows_no_moves_when_rules_are_unchanged(world):
    live, _ = world
    _archive_live_by_activating_a_copy(live)
    copy = territory_model_clone(source=live, name="Copy of the archived model")

    preview = territory_model_preview(model=copy)

    assert preview.moves == 0
    assert preview.sample == []
    assert preview.territories == []


def test_archived_copy_preview_names_the_live_territory_a_moved_account_leaves(world):
    live, _ = world
    _archive_live_by_activating_a_copy(live)
    copy = territory_model_clone(source=live, name="Copy of the archived model")
    rule_b = copy.territories.get(name="B").rules.get()
    rule_update(rule=rule_b, countries=["FR", "ES"])  # Spain moves from "Empty" to "B"

    preview = territory_model_preview(model=copy)

    assert preview.moves == 1
    [move] = preview.sample
    assert (move.account_name, move.from_territory, move.to_territory) == (
        "Acc Empty",
        "Empty",
        "B",
    )
    by_name = {row.name: (row.accounts_in, row.accounts_out) for row in preview.territories}
    assert by_name == {"B": (1, 0), "Empty": (0, 1)}


def test_copy_of_the_live_model_still_previews_its_moves(world):
    live, _ = world
    copy = territory_model_clone(source=live, name="Plan")
    rule_update(rule=copy.territories.get(name="B").rules.get(), countries=["FR", "ES"])

    preview = territory_model_preview(model=copy)

    assert preview.moves == 1
    assert {r.name: (r.accounts_in, r.accounts_out) for r in preview.territories} == {
        "B": (1, 0),
        "Empty": (0, 1),
    }
