"""Plans are validated strictly: unknown keys, wrong types, overlapping or non-contiguous tiers
and out-of-range values are refused, each error keyed by the JSON pointer of its place; the API
and the plan editor say so; stored versions are checked by a migration that fails loudly."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from compensation.demo import _plans
from compensation.engine import parse_plan
from compensation.models import CommissionPlan, PlanVersion
from tests.compensation.factories import FLAT_5, MARGINAL_ATTAINMENT, approved_plan

TIERS = [
    {"from": "0", "to": "50", "rate": "2"},
    {"from": "50", "to": "100", "rate": "5"},
    {"from": "100", "to": None, "rate": "7"},
]


def _errors(definition: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as err:
        parse_plan(definition)
    return err.value.message_dict


@pytest.mark.parametrize(
    "definition,where",
    [
        ({"methd": "retroactive"}, "/methd"),
        ({"tiers": [{"from": "0", "to": None, "rate": "5", "rte": "6"}]}, "/tiers/0/rte"),
        ({"cap": {"kind": "absolute", "value": "10", "max": "1"}}, "/cap/max"),
        ({"draw": {"amount": "10", "recover": True}}, "/draw/recover"),
        (
            {
                "spifs": [
                    {
                        "name": "x",
                        "amount": "1",
                        "start": "2026-01-01",
                        "end": "2026-01-31",
                        "products": "GTX",
                    }
                ]
            },
            "/spifs/0/products",
        ),
    ],
)
def test_unknown_keys_are_refused_at_their_pointer(definition, where):
    errors = _errors(definition)
    assert where in errors
    assert "Unknown key" in errors[where][0]


def test_a_typo_suggests_the_key_it_meant():
    assert "Did you mean 'method'" in _errors({"methd": "retroactive"})["/methd"][0]


@pytest.mark.parametrize(
    "definition,where",
    [
        ({"base_rate": 5.0}, "/base_rate"),
        ({"base_rate": True}, "/base_rate"),
        ({"clawback_days": "90"}, "/clawback_days"),
        ({"clawback_days": True}, "/clawback_days"),
        ({"draw": {"amount": "10", "recoverable": "yes"}}, "/draw/recoverable"),
        ({"tiers": [{"from": "0", "to": None, "rate": "5", "label": 7}]}, "/tiers/0/label"),
        ({"tiers": {"from": "0"}}, "/tiers"),
        ({"tiers": ["0-50"]}, "/tiers/0"),
        ({"cap": "1000"}, "/cap"),
        ({"product_rates": ["GTX"]}, "/product_rates"),
        ({"tiers": [{"to": None, "rate": "5"}]}, "/tiers/0/from"),
        ({"version": 3}, "/version"),
    ],
)
def test_wrong_types_and_missing_keys_are_refused_at_their_pointer(definition, where):
    assert where in _errors(definition)


def test_overlapping_and_non_contiguous_tiers_name_the_tier():
    overlap = _errors(
        {"tiers": [{"from": "0", "to": "60", "rate": "2"}, {"from": "50", "to": None, "rate": "5"}]}
    )
    assert "overlaps" in overlap["/tiers/1/from"][0]
    gap = _errors(
        {"tiers": [{"from": "0", "to": "40", "rate": "2"}, {"from": "50", "to": None, "rate": "5"}]}
    )
    assert "gap" in gap["/tiers/1/from"][0]


@pytest.mark.parametrize(
    "definition,where",
    [
        ({"tiers": [{"from": "0", "to": None, "rate": "150"}]}, "/tiers/0/rate"),
        ({"tiers": [{"from": "0", "to": None, "rate": "-1"}]}, "/tiers/0/rate"),
        ({"base_rate": "100.01"}, "/base_rate"),
        ({"product_rates": {"GTX Pro": "101"}}, "/product_rates/GTX Pro"),
        ({"cap": {"kind": "absolute", "value": "-1"}}, "/cap/value"),
        ({"draw": {"amount": "999999999999", "recoverable": True}}, "/draw/amount"),
        ({"clawback_days": 100000}, "/clawback_days"),
    ],
)
def test_rates_and_amounts_out_of_range_are_refused(definition, where):
    assert where in _errors(definition)


def test_every_error_is_reported_at_once():
    errors = _errors({"methd": "x", "base_rate": "500", "clawback_days": -1})
    assert {"/methd", "/base_rate", "/clawback_days"} <= set(errors)


def test_the_documented_plans_and_the_demos_pass():
    parse_plan({"version": 1, "method": "retroactive", "tiers": TIERS})
    parse_plan(MARGINAL_ATTAINMENT)
    parse_plan(FLAT_5)
    for definition in _plans(dt.date(2026, 1, 1), "GTX Pro").values():
        parse_plan(definition)


# --- API and pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_answers_400_with_the_pointer(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    created = client.post(
        "/api/v1/compensation/plans/",
        {"name": "Typo", "definition": {"methd": "retroactive"}, "effective_from": "2026-01-01"},
        format="json",
    )
    assert created.status_code == 400 and "/methd" in created.json()
    assert not CommissionPlan.objects.filter(name="Typo").exists()
    simulated = client.post(
        "/api/v1/compensation/simulate/",
        {
            "plan": {"tiers": [TIERS[0], {"from": "60", "to": None, "rate": "5"}]},
            "deals": [],
        },
        format="json",
    )
    assert simulated.status_code == 400 and "/tiers/1/from" in simulated.json()


@pytest.mark.django_db
def test_plan_editor_puts_the_pointer_error_on_its_field(personas, client_for):
    # The editor is a form (tests/compensation/test_pages_plan_editor.py): the engine's error at
    # /components/0/tiers/1/from lands on that tier's "From" field.
    from tests.compensation.test_pages_plan_editor import editor_post

    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    tiers = [("0", "50", "5", "retroactive"), ("60", "", "10", "marginal")]
    response = client_for(personas.sales_ops).post(
        f"/compensation/plans/{version.plan_id}/", editor_post(tiers=tiers)
    )
    assert response.status_code == 400
    assert "start" in response.context["editor"].tier_sets[0].forms[1].errors
    assert PlanVersion.objects.filter(plan=version.plan).count() == 1


# --- the migration that checks stored versions -------------------------------------------------


def _check():
    from compensation.plan_check import check_plan_versions

    return check_plan_versions


@pytest.mark.django_db
def test_migration_check_passes_valid_stored_versions():
    approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    _check()(apps, None)


@pytest.mark.django_db
def test_migration_check_fails_loudly_on_an_invalid_stored_version():
    version = approved_plan("Accelerated", FLAT_5, dt.date(2026, 1, 1))
    # written before strict validation existed
    PlanVersion.objects.filter(pk=version.pk).update(
        definition={"methd": "retroactive", "base_rate": "5"}
    )
    with pytest.raises(RuntimeError) as err:
        _check()(apps, None)
    message = str(err.value)
    assert "Accelerated" in message and "v1" in message and "/methd" in message


def test_the_data_migration_runs_the_check():
    module = importlib.import_module("compensation.migrations.0005_plan_versions_strict")
    (operation,) = module.Migration.operations
    assert operation.code is _check()
