"""The upload form of the admin's "Import CRM export" page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from salesops.importer import conf
from salesops.importer.services import (
    FILE_COLUMNS_HELP,
    FILE_KINDS,
    STAGE_MAP_HELP,
    stage_map_build,
)

CSV_ACCEPT = {"accept": ".csv,text/csv"}


def _csv_field(kind: str) -> forms.FileField:
    return forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs=CSV_ACCEPT),
        help_text=FILE_COLUMNS_HELP[kind],
    )


class CrmImportForm(forms.Form):
    teams = _csv_field("teams")
    products = _csv_field("products")
    accounts = _csv_field("accounts")
    opportunities = _csv_field("opportunities")
    costs = _csv_field("costs")
    stage_map = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=STAGE_MAP_HELP,
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
        too_large = conf.upload_too_large(
            [cleaned[kind].size for kind in FILE_KINDS if cleaned.get(kind)]
        )
        if too_large:
            raise ValidationError(too_large)
        return cleaned

    def files_given(self) -> dict[str, Any]:
        return {kind: self.cleaned_data[kind] for kind in FILE_KINDS if self.cleaned_data.get(kind)}
