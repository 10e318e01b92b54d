"""The plan editor's forms (issue 19 item 4): plan terms, components, a tier table per component
(per-tier method) and SPIFs, turned into a format-2 plan definition; the engine's JSON-pointer
errors are put back on the field they name, each once.

The contract stays compensation.engine.parse_plan: these forms only shape input and never
repeat its rules, so the editor cannot accept a plan the engine refuses (or the reverse)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import ErrorList

from compensation.engine import parse_plan
from compensation.engine.plan import (
    BASIS_AMOUNT,
    BASIS_ATTAINMENT,
    CAP_ABSOLUTE,
    CAP_PERCENT_OF_TARGET,
    MARGINAL,
    MEASURES,
    PERIODS,
    RETROACTIVE,
)
from compensation.plan_summary import component_initial, components_of, terms_initial

METHODS = [(RETROACTIVE, "retroactive"), (MARGINAL, "marginal")]
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


def _text(**kwargs: Any) -> forms.CharField:
    """Numbers stay text: the engine reads decimals as strings and says what is wrong with one
    at its field, so the form does not refuse (and explain) them a second time."""
    return forms.CharField(widget=forms.TextInput(attrs={**NUMBER, "size": 8}), **kwargs)


class PlanTermsForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, max_length=500)
    cap_kind = forms.ChoiceField(
        label="Cap",
        required=False,
        choices=[
            ("", "no cap"),
            (CAP_ABSOLUTE, "an amount per period"),
            (CAP_PERCENT_OF_TARGET, "% of the target incentive"),
        ],
    )
    cap_value = _text(label="Cap value", required=False)
    clawback_days = forms.IntegerField(label="Clawback window (days)", initial=90, min_value=0)
    draw_amount = _text(label="Monthly draw", required=False)
    draw_recoverable = forms.BooleanField(label="Draw is recoverable", required=False)
    product_rates = forms.CharField(
        label="Product rates (one per line: product = rate)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = new
        if not new:
            del self.fields["name"], self.fields["description"]

    def clean_product_rates(self) -> dict[str, str]:
        rates: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["product_rates"].splitlines(), 1):
            if not line.strip():
                continue
            product, sep, rate = line.rpartition("=")
            if not sep or not product.strip():
                raise ValidationError(f"Line {number}: write 'product = rate'.")
            rates[product.strip()] = rate.strip()
        return rates


class ComponentForm(forms.Form):
    name = forms.CharField(max_length=60)
    measure = forms.ChoiceField(choices=[(m, m.replace("_", " ")) for m in MEASURES])
    credit_split = forms.BooleanField(label="split credit", required=False, initial=True)
    credit_overlay = forms.BooleanField(label="overlay credit", required=False)
    period = forms.ChoiceField(label="Measured per", choices=[(p, p) for p in PERIODS])
    advance_percent = _text(label="Monthly advance %", required=False)
    weight = _text(label="Weight % of target", required=False)
    pay = forms.ChoiceField(
        required=False,
        choices=[("", "default"), ("rate", "rate (% of value)"), ("target", "target incentive")],
    )
    tier_basis = forms.ChoiceField(
        label="Tiers on",
        choices=[(BASIS_ATTAINMENT, "% of quota"), (BASIS_AMOUNT, "amount")],
    )
    base_rate = _text(label="Flat rate % (no tiers)", required=False)


class TierForm(forms.Form):
    start = _text(label="From")
    end = _text(label="To", required=False)
    rate = _text(label="Rate %")
    method = forms.ChoiceField(choices=METHODS, initial=MARGINAL)
    label = forms.CharField(max_length=60, required=False)


class SpifForm(forms.Form):
    name = forms.CharField(max_length=120)
    amount = _text()
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    product = forms.CharField(max_length=120, required=False)
    min_deal_value = _text(label="Min deal value", required=False)


ComponentFormSet = formset_factory(ComponentForm, extra=0, can_delete=True, max_num=10)
TierFormSet = formset_factory(TierForm, extra=0, can_delete=True, max_num=20)
SpifFormSet = formset_factory(SpifForm, extra=0, can_delete=True, max_num=20)

# Where each key of a component or tier in the JSON is edited.
COMPONENT_FIELDS = {
    "name": "name",
    "measure": "measure",
    "credit": "credit_split",
    "period": "period",
    "advance_percent": "advance_percent",
    "weight": "weight",
    "pay": "pay",
    "tier_basis": "tier_basis",
    "base_rate": "base_rate",
    "method": None,
}
TIER_FIELDS = {"from": "start", "to": "end", "rate": "rate", "method": "method", "label": "label"}
SPIF_FIELDS = {k: k for k in ("name", "amount", "start", "end", "product", "min_deal_value")}
TERMS_FIELDS = {
    "/cap": "cap_kind",
    "/cap/kind": "cap_kind",
    "/cap/value": "cap_value",
    "/clawback_days": "clawback_days",
    "/draw": "draw_amount",
    "/draw/amount": "draw_amount",
    "/draw/recoverable": "draw_recoverable",
    "/product_rates": "product_rates",
}


def _kept(formset: BaseFormSet) -> list[forms.Form]:
    """The rows that count: not ticked for removal, not left blank (an added, empty row)."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


@dataclass
class PlanEditor:
    """The editor's forms, bound (POST) or filled from a definition, and the definition they
    make. `components` pairs each component form with its tier table."""

    terms: PlanTermsForm
    component_set: BaseFormSet
    tier_sets: list[BaseFormSet]
    spif_set: BaseFormSet
    definition: dict[str, Any] = field(default_factory=dict)
    error_count: int = 0

    @property
    def components(self) -> list[tuple[forms.Form, BaseFormSet]]:
        return list(zip(self.component_set.forms, self.tier_sets, strict=True))

    @property
    def empty_tiers(self) -> BaseFormSet:
        """The tier table of a component added in the browser (its index replaces __c__)."""
        return TierFormSet(prefix="comp__c__-tier")

    @property
    def empty_component(self) -> forms.Form:
        return ComponentForm(prefix="comp-__c__", use_required_attribute=False)

    def is_valid(self) -> bool:
        """The forms' own checks, then the engine's: every error lands on its field once."""
        shaped = all(
            [self.terms.is_valid(), self.component_set.is_valid(), self.spif_set.is_valid()]
            + [t.is_valid() for t in self.tier_sets]
        )
        if not shaped:
            self.error_count = self._count()
            return False
        self.definition = self._definition()
        try:
            parse_plan(self.definition)
        except ValidationError as exc:
            for pointer, messages in exc.message_dict.items():
                self._place(pointer, messages)
            self.error_count = self._count()
            return False
        return True

    def error_map(self) -> dict[str, list[str]]:
        """Every error keyed by where it is shown: a field's HTML name, or "@<prefix>" for a
        form's or table's own errors (the live simulation puts them there, replacing the last)."""
        found: dict[str, list[str]] = {}
        for form in [self.terms, *self._all_forms()]:
            for name, errors in form.errors.items():
                key = "@" + (form.prefix or "terms") if name == "__all__" else form.add_prefix(name)
                found.setdefault(key, []).extend(str(e) for e in errors)
        for formset in [self.component_set, self.spif_set, *self.tier_sets]:
            if formset.non_form_errors():
                found[f"@{formset.prefix}"] = [str(e) for e in formset.non_form_errors()]
        return found

    def _all_forms(self) -> list[forms.Form]:
        sets = [self.component_set, self.spif_set, *self.tier_sets]
        return [f for formset in sets for f in formset.forms]

    def _count(self) -> int:
        sets = [self.component_set, self.spif_set, *self.tier_sets]
        count = sum(len(e) for e in self.terms.errors.values())
        for formset in sets:
            count += len(formset.non_form_errors())
            count += sum(len(errs) for f in formset.forms for errs in f.errors.values())
        return count

    # --- forms -> definition ------------------------------------------------------------------

    def _kept_components(self) -> list[tuple[forms.Form, BaseFormSet]]:
        return [
            (form, tiers) for form, tiers in self.components if not form.cleaned_data.get("DELETE")
        ]

    def _definition(self) -> dict[str, Any]:
        terms = self.terms.cleaned_data
        definition: dict[str, Any] = {
            "version": 2,
            "components": [
                _component(form.cleaned_data, _kept(tiers))
                for form, tiers in self._kept_components()
            ],
            "clawback_days": terms["clawback_days"],
        }
        if terms["cap_kind"] or terms["cap_value"]:
            definition["cap"] = {"kind": terms["cap_kind"], "value": terms["cap_value"]}
        if terms["draw_amount"]:
            definition["draw"] = {
                "amount": terms["draw_amount"],
                "recoverable": terms["draw_recoverable"],
            }
        spifs = [_spif(f.cleaned_data) for f in _kept(self.spif_set)]
        if spifs:
            definition["spifs"] = spifs
        if terms["product_rates"]:
            definition["product_rates"] = terms["product_rates"]
        return definition

    # --- engine errors -> fields --------------------------------------------------------------

    def _place(self, pointer: str, messages: list[str]) -> None:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        if parts[:1] == ["components"]:
            self._place_component(parts[1:], messages)
        elif parts[:1] == ["spifs"] and len(parts) >= 2 and parts[1].isdigit():
            forms_ = _kept(self.spif_set)
            index = int(parts[1])
            target = forms_[index] if index < len(forms_) else None
            name = SPIF_FIELDS.get(parts[2]) if len(parts) > 2 else None
            _add(target, name, messages, fallback=self.terms)
        else:
            key = "/" + "/".join(parts[:2])
            name = TERMS_FIELDS.get(key) or TERMS_FIELDS.get("/" + parts[0] if parts else "")
            where = "" if name else f"{pointer or 'plan'}: "
            _add(self.terms, name, [where + m for m in messages], fallback=self.terms)

    def _place_component(self, parts: list[str], messages: list[str]) -> None:
        kept = self._kept_components()
        if not parts or not parts[0].isdigit() or int(parts[0]) >= len(kept):
            _add_non_form(self.component_set, messages)
            return
        form, tiers = kept[int(parts[0])]
        rest = parts[1:]
        if rest[:1] == ["tiers"]:
            rows = _kept(tiers)
            if len(rest) >= 2 and rest[1].isdigit() and int(rest[1]) < len(rows):
                name = TIER_FIELDS.get(rest[2]) if len(rest) > 2 else None
                _add(rows[int(rest[1])], name, messages, fallback=form)
            else:
                _add_non_form(tiers, messages)
            return
        _add(form, COMPONENT_FIELDS.get(rest[0]) if rest else None, messages, fallback=form)


def _add_non_form(formset: BaseFormSet, messages: list[str]) -> None:
    """An error about the whole table (e.g. weights that do not sum to 100) above the table."""
    errors = ErrorList([*formset.non_form_errors(), *messages])
    formset._non_form_errors = errors  # type: ignore[attr-defined]


def _add(
    form: forms.Form | None, name: str | None, messages: list[str], *, fallback: forms.Form
) -> None:
    target = form if form is not None else fallback
    target.add_error(name if name in target.fields else None, messages)


def _component(data: Mapping[str, Any], tiers: list[forms.Form]) -> dict[str, Any]:
    credit = [
        c for c, on in (("split", data["credit_split"]), ("overlay", data["credit_overlay"])) if on
    ]
    component: dict[str, Any] = {
        "name": data["name"],
        "measure": data["measure"],
        "credit": credit,
        "period": data["period"],
        "tier_basis": data["tier_basis"],
    }
    for key in ("advance_percent", "weight", "pay", "base_rate"):
        if data[key]:
            component[key] = data[key]
    if credit == ["split"]:
        del component["credit"]  # the default; non-deal measures refuse anything else
    rows = []
    for tier in tiers:
        row = tier.cleaned_data
        item = {
            "from": row["start"],
            "to": row["end"] or None,
            "rate": row["rate"],
            "method": row["method"],
        }
        if row["label"]:
            item["label"] = row["label"]
        rows.append(item)
    if rows:
        component["tiers"] = rows
    return component


def _spif(data: Mapping[str, Any]) -> dict[str, Any]:
    spif = {
        "name": data["name"],
        "amount": data["amount"],
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
    }
    if data["product"]:
        spif["product"] = data["product"]
    if data["min_deal_value"]:
        spif["min_deal_value"] = data["min_deal_value"]
    return spif


def plan_editor(
    *,
    data: Mapping[str, Any] | None,
    definition: Mapping[str, Any],
    initial: Mapping[str, Any],
    new: bool,
) -> PlanEditor:
    """The editor bound to POST `data`, or filled from `definition` (format 1 or 2)."""
    if data is not None:
        components = ComponentFormSet(data, prefix="comp")
        count = components.total_form_count() if components.management_form.is_valid() else 0
        return PlanEditor(
            terms=PlanTermsForm(data, new=new),
            component_set=components,
            tier_sets=[TierFormSet(data, prefix=f"comp{i}-tier") for i in range(count)],
            spif_set=SpifFormSet(data, prefix="spif"),
        )
    parts = components_of(definition)
    return PlanEditor(
        terms=PlanTermsForm(initial={**terms_initial(definition), **initial}, new=new),
        component_set=ComponentFormSet(
            prefix="comp", initial=[component_initial(c) for c in parts]
        ),
        tier_sets=[
            TierFormSet(
                prefix=f"comp{i}-tier",
                initial=[
                    {
                        "start": t["from"],
                        "end": t["to"],
                        "rate": t["rate"],
                        "method": t["method"],
                        "label": t["label"],
                    }
                    for t in c["tiers"]
                ],
            )
            for i, c in enumerate(parts)
        ],
        spif_set=SpifFormSet(prefix="spif", initial=list(definition.get("spifs") or [])),
    )
