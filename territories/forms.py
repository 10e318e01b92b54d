"""Forms of the territory pages (the rule editor, pins and rebalancing options).

Every territory and account field is a searchable chooser (salesops.widgets): a model may have
thousands of territories, so no form lists them in a <select>. Territory choosers search only
the form's model (`?model=<id>` on the chooser endpoint, territories.choosers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from salesops.models import Account
from salesops.widgets import Chooser
from territories.models import PinKind, Territory, TerritoryModel

LIST_HELP = "Comma-separated; empty means any."


def _territory_chooser(placeholder: str = "Type a territory name…") -> Chooser:
    return Chooser(source="choose-territories", placeholder=placeholder)


def _in_model(field: forms.Field, queryset: QuerySet[Territory], model: TerritoryModel) -> None:
    field.queryset = queryset  # type: ignore[attr-defined]
    field.widget.attrs["data-chooser-params"] = f"model={model.pk}"


class RuleForm(forms.Form):
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.none(), widget=_territory_chooser()
    )
    name = forms.CharField(max_length=120, required=False)
    priority = forms.IntegerField(initial=100, help_text="Higher wins.")
    countries = forms.CharField(required=False, help_text=f"ISO codes, e.g. DE, AT. {LIST_HELP}")
    regions = forms.CharField(required=False, label="Regions / states", help_text=LIST_HELP)
    sectors = forms.CharField(required=False, help_text=LIST_HELP)
    postal_prefix = forms.CharField(max_length=20, required=False)
    postal_from = forms.CharField(max_length=20, required=False, label="Postal code from")
    postal_to = forms.CharField(max_length=20, required=False, label="Postal code to")
    employees_min = forms.IntegerField(min_value=0, required=False)
    employees_max = forms.IntegerField(min_value=0, required=False)
    revenue_min = forms.DecimalField(max_digits=18, decimal_places=2, required=False)
    revenue_max = forms.DecimalField(max_digits=18, decimal_places=2, required=False)
    name_pattern = forms.CharField(
        max_length=200, required=False, help_text="* any text, ? one character; e.g. Acme*"
    )
    fixed = forms.BooleanField(
        required=False, help_text="Rebalancing never moves accounts this rule assigns."
    )

    def __init__(self, *args: Any, model: TerritoryModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _in_model(self.fields["territory"], Territory.objects.filter(model=model), model)

    @staticmethod
    def initial_for(rule: Any) -> dict[str, Any]:
        data = {field: getattr(rule, field) for field in RuleForm.base_fields}
        for field in ("countries", "regions", "sectors"):
            data[field] = ", ".join(data[field])
        return data


class PinForm(forms.Form):
    """The account is found by typing its name (a scoped server-side search), never by id."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        widget=Chooser(source="choose-accounts", placeholder="Type an account name…"),
    )
    kind = forms.ChoiceField(choices=PinKind.choices)
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.none(), required=False, widget=_territory_chooser()
    )
    reason = forms.CharField(max_length=255, required=False)

    def __init__(
        self, *args: Any, model: TerritoryModel, accounts: QuerySet[Account], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        _in_model(self.fields["territory"], Territory.objects.filter(model=model), model)


class RebalanceForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Territory.objects.none(),
        required=False,
        label="Balance the children of",
        help_text="Empty: the top level (roots). Only a territory with children can be chosen.",
        widget=_territory_chooser("Top level (roots)"),
    )
    max_moves = forms.IntegerField(min_value=0, max_value=1000, initial=20, label="At most moves")
    keep_countries_whole = forms.BooleanField(required=False, label="Keep countries whole")

    def __init__(self, *args: Any, model: TerritoryModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Territory.objects.filter(model=model, children__isnull=False).distinct()
        _in_model(self.fields["parent"], parents, model)
