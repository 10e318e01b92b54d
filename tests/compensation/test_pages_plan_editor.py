"""The plan editor (issue 19 item 4): a form with a tier table per component (per-tier method),
components, caps, SPIFs, draws and measurement periods; the engine's JSON-pointer errors at
their fields, once; the live simulator beside it; the JSON as a read-only view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from compensation.models import PlanVersion
from tests.compensation.factories import MARGINAL_ATTAINMENT, approved_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]

RETRO_BELOW_MARGINAL_ABOVE = [
    ("0", "50", "5", "retroactive"),
    ("50", "100", "10", "retroactive"),
    ("100", "", "20", "marginal"),
]


def editor_post(
    tiers: list[tuple[str, str, str, str]] = RETRO_BELOW_MARGINAL_ABOVE,
    components: list[dict[str, Any]] | None = None,
    spifs: list[dict[str, str]] | None = None,
    **terms: Any,
) -> dict[str, Any]:
    """The POST of the editor form with one component (or `components`, each with `tiers`)."""
    components = components or [{"name": "New business", "tiers": tiers}]
    data: dict[str, Any] = {
        "effective_from": "2026-04-01",
        "notes": "",
        "cap_kind": "",
        "cap_value": "",
        "clawback_days": "90",
        "draw_amount": "",
        "product_rates": "",
        "comp-TOTAL_FORMS": str(len(components)),
        "comp-INITIAL_FORMS": "0",
        "spif-TOTAL_FORMS": str(len(spifs or [])),
        "spif-INITIAL_FORMS": "0",
        **terms,
    }
    for i, component in enumerate(components):
        data.update(
            {
                f"comp-{i}-name": component["name"],
                f"comp-{i}-measure": component.get("measure", "revenue"),
                f"comp-{i}-credit_split": "on",
                f"comp-{i}-period": component.get("period", "month"),
                f"comp-{i}-advance_percent": component.get("advance_percent", ""),
                f"comp-{i}-weight": component.get("weight", ""),
                f"comp-{i}-pay": component.get("pay", ""),
                f"comp-{i}-tier_basis": component.get("tier_basis", "attainment"),
                f"comp-{i}-base_rate": "",
                f"comp{i}-tier-TOTAL_FORMS": str(len(component["tiers"])),
                f"comp{i}-tier-INITIAL_FORMS": "0",
            }
        )
        if component.get("overlay"):
            data[f"comp-{i}-credit_overlay"] = "on"
        for j, (start, end, rate, method) in enumerate(component["tiers"]):
            data.update(
                {
                    f"comp{i}-tier-{j}-start": start,
                    f"comp{i}-tier-{j}-end": end,
                    f"comp{i}-tier-{j}-rate": rate,
                    f"comp{i}-tier-{j}-method": method,
                    f"comp{i}-tier-{j}-label": "",
                }
            )
    for k, spif in enumerate(spifs or []):
        data.update({f"spif-{k}-{key}": value for key, value in spif.items()})
    return data


@pytest.fixture
def plan(personas):
    return approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))


def test_new_plan_from_the_form_with_retroactive_below_and_marginal_above(personas, client_for):
    ops = client_for(personas.sales_ops)
    page = ops.get("/compensation/plans/new/")
    assert page.status_code == 200 and "Live simulation" in page.content.decode()
    response = ops.post(
        "/compensation/plans/new/",
        editor_post(
            name="AE 2026",
            description="",
            cap_kind="absolute",
            cap_value="50000",
            draw_amount="1000",
            draw_recoverable="on",
            spifs=[
                {"name": "Q2 push", "amount": "250", "start": "2026-04-01", "end": "2026-06-30"}
            ],
        ),
    )
    assert response.status_code == 302
    version = PlanVersion.objects.get(plan__name="AE 2026")
    assert version.definition == {
        "version": 2,
        "components": [
            {
                "name": "New business",
                "measure": "revenue",
                "period": "month",
                "tier_basis": "attainment",
                "tiers": [
                    {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
                    {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
                    {"from": "100", "to": None, "rate": "20", "method": "marginal"},
                ],
            }
        ],
        "clawback_days": 90,
        "cap": {"kind": "absolute", "value": "50000"},
        "draw": {"amount": "1000", "recoverable": True},
        "spifs": [{"name": "Q2 push", "amount": "250", "start": "2026-04-01", "end": "2026-06-30"}],
    }


def test_editor_shows_a_format_1_plan_as_a_tier_table_and_saves_then_approves(
    personas, plan, client_for
):
    ops = client_for(personas.sales_ops)
    page = ops.get(f"/compensation/plans/{plan.plan_id}/")
    editor = page.context["editor"]
    assert [f.initial["start"] for f in editor.tier_sets[0].forms] == ["0", "100", "125"]
    assert {f.initial["method"] for f in editor.tier_sets[0].forms} == {"marginal"}
    assert "&quot;tier_basis&quot;: &quot;attainment&quot;" in page.content.decode()  # JSON view
    response = ops.post(f"/compensation/plans/{plan.plan_id}/", editor_post(notes="Q2"))
    assert response.status_code == 302
    draft = PlanVersion.objects.get(plan_id=plan.plan_id, number=2)
    assert draft.status == "draft" and draft.notes == "Q2"
    ops.post(f"/compensation/plans/{plan.plan_id}/", {**editor_post(), "approve": "1"})
    draft.refresh_from_db()
    assert draft.status == "approved"


def test_engine_errors_land_on_their_fields_once(personas, plan, client_for):
    tiers = [("0", "50", "5", "retroactive"), ("60", "", "150", "marginal")]
    response = client_for(personas.sales_ops).post(
        f"/compensation/plans/{plan.plan_id}/", editor_post(tiers=tiers, cap_kind="absolute")
    )
    assert response.status_code == 400
    editor = response.context["editor"]
    second = editor.tier_sets[0].forms[1]
    assert "rate" in second.errors and "at most 100" in " ".join(second.errors["rate"])
    assert "start" in second.errors  # not contiguous: 60 should be 50
    assert "cap_value" in editor.terms.errors
    html = response.content.decode()
    for message in second.errors["rate"]:
        assert html.count(str(message)) == 1
    assert PlanVersion.objects.filter(plan_id=plan.plan_id).count() == 1


def test_weights_that_do_not_sum_to_100_are_a_components_error(personas, plan, client_for):
    components = [
        {"name": "New business", "weight": "70", "tiers": RETRO_BELOW_MARGINAL_ABOVE},
        {
            "name": "Meetings",
            "measure": "meetings_held",
            "weight": "20",
            "period": "quarter",
            "advance_percent": "50",
            "tiers": [("0", "", "100", "marginal")],
        },
    ]
    response = client_for(personas.sales_ops).post(
        f"/compensation/plans/{plan.plan_id}/", editor_post(components=components)
    )
    assert response.status_code == 400
    errors = response.context["editor"].component_set.non_form_errors()
    assert any("sum to 100" in e for e in errors)
    components[1]["weight"] = "30"
    response = client_for(personas.sales_ops).post(
        f"/compensation/plans/{plan.plan_id}/", editor_post(components=components)
    )
    assert response.status_code == 302
    meetings = PlanVersion.objects.get(number=2).definition["components"][1]
    assert meetings["period"] == "quarter" and meetings["advance_percent"] == "50"


def test_removed_and_blank_rows_do_not_count(personas, plan, client_for):
    data = editor_post()
    data.update(
        {
            "comp0-tier-TOTAL_FORMS": "5",
            "comp0-tier-3-start": "999",
            "comp0-tier-3-rate": "1",
            "comp0-tier-3-method": "marginal",
            "comp0-tier-3-DELETE": "on",
            "comp0-tier-4-method": "marginal",  # an added row left blank (its select's default)
        }
    )
    response = client_for(personas.sales_ops).post(f"/compensation/plans/{plan.plan_id}/", data)
    assert response.status_code == 302
    tiers = PlanVersion.objects.get(number=2).definition["components"][0]["tiers"]
    assert [t["from"] for t in tiers] == ["0", "50", "100"]


def test_live_simulation_runs_the_unsaved_form(personas, plan, client_for):
    data = editor_post(sim_quota="100000", sim_target="", sim_deals="130000, 2026-04-10")
    data["effective_from"] = ""  # a new version's date is not needed to simulate it
    response = client_for(personas.sales_ops).post("/compensation/plans/simulate/", data)
    assert response.status_code == 200
    # domain.md: 10 % × 100,000 + 20 % × 30,000 = 16,000
    assert response.context["result"].payable == D("16000.00")
    assert "16,000.00" in response.content.decode()
    assert "&quot;method&quot;: &quot;retroactive&quot;" in response.content.decode()  # live JSON
    bad = editor_post(tiers=[("0", "", "500", "marginal")], sim_quota="1", sim_deals="")
    response = client_for(personas.sales_ops).post("/compensation/plans/simulate/", bad)
    assert "1 problem" in response.content.decode()
    # the live run marks the field (the page's script puts it under the input)
    assert list(response.context["errors"]) == ["comp0-tier-0-rate"]
    assert PlanVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["rep_a1", "manager_a", "outsider"])
def test_plan_editor_is_404_outside_sales_ops(personas, plan, client_for, who):
    client = client_for(getattr(personas, who))
    assert client.get("/compensation/plans/new/").status_code == 404
    assert client.get(f"/compensation/plans/{plan.plan_id}/").status_code == 404
    assert client.post("/compensation/plans/simulate/", editor_post()).status_code == 404
