"""Issue 20, item 7: every CSV export neutralises cells a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from salesops.csvsafe import neutralise

ROOT = Path(__file__).resolve().parents[2]
NASTY = ['=HYPERLINK("http://x.example","pay")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", NASTY)
def test_a_formula_like_text_cell_gets_a_leading_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "-12.50", "+3", "1e5", "", 5, None])
def test_plain_text_and_numbers_are_left_alone(value):
    assert neutralise(value) == value


def test_no_export_writes_through_a_bare_csv_writer():
    found = subprocess.run(
        ["grep", "-rn", "--include=*.py", "-E", r"csv\.(writer|DictWriter)\(", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    offenders = [
        line
        for line in found
        if not line.startswith(("./.venv", "./node_modules", "./tests/", "./salesops/csvsafe.py"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_people_csv_shows_an_imported_formula_as_text(personas, client_for):
    from salesops.services.people import person_update

    rep = personas.person("rep_a1")
    person_update(person=rep, data={"name": '=HYPERLINK("http://evil.example","Anna")'})
    response = client_for(personas.sales_ops).get("/dashboard/people.csv", {"team": "company"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","Anna")' in names
    assert not any(name.startswith("=") for name in names)
