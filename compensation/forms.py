from __future__ import annotations

import json
from typing import Any

from django import forms

from compensation.engine import parse_plan
from salesops.money import max_amount, min_amount


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label="What is wrong with this line?", widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="Decision",
        choices=[("1", "Accept"), ("0", "Reject")],
        coerce=lambda v: v == "1",
    )
    resolution = forms.CharField(
        label="Explanation to the rep", widget=forms.Textarea(attrs={"rows": 2})
    )
    adjustment = forms.DecimalField(
        label="Correction (optional, ±)",
        required=False,
        max_digits=14,
        decimal_places=2,
        validators=[min_amount, max_amount],
    )


class PlanVersionForm(forms.Form):
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    definition = forms.CharField(
        label="Plan rules (JSON)", widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"})
    )
    notes = forms.CharField(required=False, widget=forms.TextInput())

    def clean_definition(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("The plan is a JSON object.")
        try:
            parse_plan(data)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            ) from exc
        return data


class NewPlanForm(PlanVersionForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["name", "description", "effective_from", "definition", "notes"]
