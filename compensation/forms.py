from __future__ import annotations

from typing import Any

from django import forms

from compensation.models import CommissionPlan, Metric
from salesops import calendar
from salesops.importer.conf import max_upload_bytes
from salesops.models import Person, Team
from salesops.money import max_amount, max_quota, min_amount, min_quota
from salesops.widgets import Chooser


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


# --- pay operations (sales ops) ---------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Search people", required=False, max_length=100)
    # About 600 teams at 5,000 people: searched, never listed (salesops.choosers_teams).
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        label="Team",
        widget=Chooser(source="choose-teams", placeholder="Any team"),
    )


def _period(value: str) -> calendar.FiscalPeriod:
    try:
        return calendar.parse(value.strip())
    except ValueError:
        raise forms.ValidationError(
            "Give a fiscal period such as FY2026-M03, FY2026-Q1 or FY2026."
        ) from None


class AssignPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=CommissionPlan.objects.order_by("name"),
        widget=Chooser(
            source="choose-plans", placeholder="Type a plan name…", attrs={"id": "assign-plan"}
        ),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        help_text="Everyone active in the team and its sub-teams.",
        # Its own id: the people search on the same page has a team chooser too.
        widget=Chooser(
            source="choose-teams", placeholder="Type a team name…", attrs={"id": "assign-team"}
        ),
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(active=True), required=False, widget=forms.HiddenInput
    )
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_incentive = forms.DecimalField(
        label="Target incentive (at 100 % of quota)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        validators=[max_amount],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("team")) == bool(data.get("person")):
            raise forms.ValidationError("Choose a team, or pick one person from the search.")
        end, start = data.get("end"), data.get("start")
        if end is not None and start is not None and end < start:
            self.add_error("end", "The end cannot be before the start.")
        return data


class QuotaAmountField(forms.DecimalField):
    """A quota amount bounded by salesops.money (0 to MAX_QUOTA) with one clear message, not
    the digit count of the column (which would say it a second time)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_digits", None)
        kwargs.setdefault("decimal_places", 2)
        kwargs["validators"] = [min_quota, max_quota]
        super().__init__(max_digits=None, **kwargs)


class QuotaForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(active=True), widget=forms.HiddenInput
    )
    metric = forms.ChoiceField(choices=Metric.choices, initial=Metric.REVENUE)
    period = forms.CharField(
        max_length=12, help_text="FY2026-M03 (a month), FY2026-Q1 or FY2026 (spread evenly)."
    )
    amount = QuotaAmountField()

    def clean_period(self) -> calendar.FiscalPeriod:
        return _period(self.cleaned_data["period"])


class PayImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("quotas", "Quotas"), ("assignments", "Plan assignments")], initial="quotas"
    )
    file = forms.FileField(label="CSV file (UTF-8)", required=False)
    dry_run = forms.BooleanField(
        label="Dry run: check every row, change nothing", required=False, initial=True
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > max_upload_bytes():
            self.add_error("file", f"The file is larger than {max_upload_bytes():,} bytes.")
        elif upload is None and not data.get("content"):
            self.add_error("file", "Choose a CSV file.")
        return data


class BulkApproveForm(forms.Form):
    period = forms.CharField(max_length=12, required=False)
    statements = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.data.getlist("statements") if hasattr(self.data, "getlist") else []
        self.fields["statements"].choices = [(v, v) for v in values if str(v).isdigit()]  # type: ignore[attr-defined]

    def clean_period(self) -> calendar.FiscalPeriod | None:
        value = self.cleaned_data.get("period") or ""
        return _period(value) if value.strip() else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("period") and not data.get("statements"):
            raise forms.ValidationError("Tick statements, or give a month to approve its drafts.")
        return data
