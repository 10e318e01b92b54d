"""Parsing cell values. Each parser records its own error on the row and returns None when bad."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry

from salesops.importer.reader import Row
from salesops.importer.report import FileReport

CENT = Decimal("0.01")


def parse_decimal(
    row: Row,
    report: FileReport,
    column: str,
    *,
    required: bool = False,
    max_digits: int = 14,
    allow_negative: bool = False,
    scale: Decimal = Decimal(1),
) -> Decimal | None:
    raw = row.get(column)
    if not raw:
        if required:
            report.error(row.line, column, "A value is required.")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        report.error(row.line, column, "Not a number.", raw)
        return None
    if not value.is_finite():
        report.error(row.line, column, "Not a number.", raw)
        return None
    if value < 0 and not allow_negative:
        report.error(row.line, column, "The value cannot be negative.", raw)
        return None
    value = (value * scale).quantize(CENT)
    if abs(value) >= Decimal(10) ** (max_digits - 2):
        report.error(row.line, column, "The value is too large.", raw)
        return None
    return value


def parse_int(
    row: Row,
    report: FileReport,
    column: str,
    *,
    minimum: int = 0,
    maximum: int = 2_147_483_647,
) -> int | None:
    raw = row.get(column)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        report.error(row.line, column, "Not a whole number.", raw)
        return None
    if not minimum <= value <= maximum:
        report.error(row.line, column, f"Out of range ({minimum}–{maximum}).", raw)
        return None
    return value


def parse_date(row: Row, report: FileReport, column: str) -> dt.date | None:
    """ISO dates (YYYY-MM-DD) only: day/month order is ambiguous in anything else."""
    raw = row.get(column)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        report.error(row.line, column, "Not a date (expected YYYY-MM-DD).", raw)
        return None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_2", "alpha_3"):
            name = getattr(country, attr, None)
            if name:
                names.setdefault(name.casefold(), country.alpha_2)
    return names


@lru_cache(maxsize=4096)
def resolve_country(name: str) -> tuple[str, str]:
    """A country name → (ISO alpha-2, warning). ("", reason) when nothing fits.

    Exact (case-insensitive) on name, official and common name or ISO code; then pycountry's fuzzy
    search when it finds exactly one country; then the closest spelling (difflib, ratio ≥ 0.85).
    """
    key = name.strip().casefold()
    if not key:
        return "", ""
    names = _country_names()
    if key in names:
        return names[key], ""
    try:
        found = pycountry.countries.search_fuzzy(name)
    except LookupError:
        found = []
    if len(found) == 1:
        return found[0].alpha_2, f"Country '{name}' read as {found[0].name} ({found[0].alpha_2})."
    close = difflib.get_close_matches(key, list(names), n=2, cutoff=0.85)
    if len(close) == 1 or (close and len({names[c] for c in close}) == 1):
        match = names[close[0]]
        return match, f"Country '{name}' read as {close[0].title()} ({match}): check the spelling."
    if found:
        codes = ", ".join(sorted({c.alpha_2 for c in found})[:5])
        return "", f"Country '{name}' is ambiguous ({codes}); left empty."
    return "", f"Country '{name}' is not a known country; left empty."
