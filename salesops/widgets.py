"""Searchable choosers for forms: a <select> that renders only its selected options and asks a
server-side JSON endpoint (salesops.choosers) for the rest while the user types (Tom Select,
static/salesops/chooser.js). A form keeps its ModelChoiceField and queryset, so validation and
scoping stay where they were; only the page stops listing thousands of <option>s.

    attendees = forms.ModelMultipleChoiceField(
        queryset=..., widget=MultiChooser(source="choose-people")
    )

`source` is a URL name: choose-people, choose-accounts, choose-deals, choose-territories,
choose-plans (see salesops/urls.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse


def _selected_keys(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in values if v not in (None, "") and str(v).isdigit()]


class _ChooserMixin:
    source: str
    choices: Any
    allow_multiple_selected: bool

    def _chooser_attrs(self, attrs: dict[str, Any] | None, placeholder: str) -> dict[str, Any]:
        merged = dict(attrs or {})
        merged["data-chooser"] = self.source
        merged.setdefault("data-placeholder", placeholder or "Type to search…")
        return merged

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        # Resolved at render time (not import time): the URLconf may not be loaded yet.
        context["widget"]["attrs"]["data-chooser"] = reverse(self.source)
        return context

    def _selected_choices(self, keys: list[str]) -> list[tuple[str, str]]:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return [(str(k), str(label)) for k, label in self.choices if str(k) in keys]
        if not keys:
            return []
        field = self.choices.field
        return [
            (str(obj.pk), field.label_from_instance(obj)) for obj in queryset.filter(pk__in=keys)
        ]

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> Any:
        # Only the selected rows (one query by primary key), never the whole queryset.
        keys = _selected_keys(value)
        pairs = self._selected_choices(keys)
        if not self.allow_multiple_selected:
            pairs = [("", ""), *pairs]
        original = self.choices
        self.choices = pairs
        try:
            return super().optgroups(name, keys, attrs)  # type: ignore[misc]
        finally:
            self.choices = original


class Chooser(_ChooserMixin, forms.Select):
    """One row (a person, account, deal, territory or plan), searched as the user types."""

    def __init__(
        self, *, source: str, attrs: dict[str, Any] | None = None, placeholder: str = ""
    ) -> None:
        self.source = source
        super().__init__(attrs=self._chooser_attrs(attrs, placeholder))


class MultiChooser(_ChooserMixin, forms.SelectMultiple):
    """Several rows (e.g. meeting attendees), searched as the user types."""

    def __init__(
        self, *, source: str, attrs: dict[str, Any] | None = None, placeholder: str = ""
    ) -> None:
        self.source = source
        merged = self._chooser_attrs(attrs, placeholder)
        merged.pop("size", None)
        super().__init__(attrs=merged)
