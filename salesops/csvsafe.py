"""CSV for spreadsheets: every export writes through `csv_writer` (issue 20, item 7).

A cell that begins with = + - @ (or a tab or carriage return) is a formula to Excel, LibreOffice
and Google Sheets: a name like `=HYPERLINK(...)` imported from a CRM would run next to payable
amounts. As OWASP recommends (CSV injection), such a text cell gets a leading single quote, which
the spreadsheet shows as text. Numbers (int, Decimal, float, and numeric strings such as
"-12.50") are left as they are, so negative amounts stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet will read it safely: formula-like text gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell neutralised."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
