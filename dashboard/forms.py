"""The dashboard's GET parameters: period, custom range and scope (shared by the page and the CSV)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from dashboard.periods import DEFAULT_PERIOD, PERIOD_CHOICES, Period, resolve_period
from salesops.edge import validate_date_in_range


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, label="Period")
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput({"type": "date"}),
        validators=[validate_date_in_range],
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput({"type": "date"}),
        validators=[validate_date_in_range],
    )
    team = forms.CharField(required=False, label="Scope", max_length=20)

    def period_for(self, today: date) -> Period:
        """The chosen period; the default (quarter to date) when the input is invalid."""
        if not self.is_valid():
            return resolve_period(key=DEFAULT_PERIOD, today=today)
        data = self.cleaned_data
        try:
            return resolve_period(
                key=data["period"] or DEFAULT_PERIOD,
                today=today,
                start=data["start"],
                end=data["end"],
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
            return resolve_period(key=DEFAULT_PERIOD, today=today)
