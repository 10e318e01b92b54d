"""Picking an IANA time zone: the full list, searchable in the browser, forgiving about case.

The picker is an <input list> with a <datalist> of every zone Python knows
(zoneinfo.available_timezones()): browsers filter it as you type ("berl", "york", "kolk").
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted; the legacy aliases (e.g. "US/Pacific") sort last."""
    return tuple(sorted(zoneinfo.available_timezones(), key=lambda z: ("/" not in z, z)))


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in time_zone_names()}


def canonical_zone(value: str) -> str | None:
    """The zone's IANA spelling for `value` whatever its case (' europe/berlin ' → 'Europe/Berlin'),
    or None when no zone has that name."""
    return _by_lower().get(value.strip().lower())


class TimeZoneInput(forms.TextInput):
    """A text input with the full zone list as its <datalist>."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or f'id_{name}'}_zones"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((z,) for z in time_zone_names()))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class TimeZoneField(forms.CharField):
    """A time zone from the full IANA list, typed or picked; cleans to its IANA spelling."""

    widget = TimeZoneInput
    default_error_messages = {
        "unknown": "'%(value)s' is not a known IANA time zone (e.g. Europe/Berlin).",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "Type to search, e.g. “Berlin”, “New_York”, “Kolkata”.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        zone = canonical_zone(text)
        if zone is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        return zone
