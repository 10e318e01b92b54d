"""The upload form of the admin's "Import CRM export" page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from salesops.importer.services import FILE_KINDS, stage_map_build

CSV_ACCEPT = {"accept": ".csv,text/csv"}


class CrmImportForm(forms.Form):
    teams = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text="sales_agent, manager, regional_office",
    )
    products = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text="product, series, sales_price",
    )
    accounts = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text="account, sector, year_established, revenue (millions), employees, "
        "office_location, subsidiary_of",
    )
    opportunities = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text="opportunity_id, sales_agent, product, account, deal_stage, engage_date, "
        "close_date, close_value",
    )
    costs = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text="date, sales_agent or team, category, amount",
    )
    stage_map = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='Optional JSON overriding the stage map, e.g. {"Engaging": "presentation"}. '
        "Default: Prospecting→prospecting, Engaging→needs_assessment, Won→won, Lost→lost.",
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, help_text="Validate and report; write nothing."
    )
    strict = forms.BooleanField(required=False, help_text="Write nothing if any row is bad.")

    def clean_stage_map(self) -> str:
        raw: str = self.cleaned_data.get("stage_map", "")
        try:
            stage_map_build(raw)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["stage_map"]) from exc
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(kind) for kind in FILE_KINDS):
            raise ValidationError("Choose at least one file to import.")
        return cleaned

    def files_given(self) -> dict[str, Any]:
        return {kind: self.cleaned_data[kind] for kind in FILE_KINDS if self.cleaned_data.get(kind)}
