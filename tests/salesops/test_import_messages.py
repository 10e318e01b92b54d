"""Row-level messages say what is wrong: a cell missing from a short row is a missing column of
that row, not a bad (or absent) value."""

from __future__ import annotations

import pytest

from salesops.models import Product
from tests.salesops.test_import_helpers import run_import, write_files

pytestmark = pytest.mark.django_db


def _issues(report, kind):
    return [(i.line, i.column, i.reason) for i in report.files[kind].issues if i.level == "error"]


def test_a_short_row_is_reported_as_a_missing_column_not_a_bad_value(tmp_path):
    products = "product,series,sales_price\nGTX Pro,GTX,4821\nMG Special,MG\n"
    report = run_import(write_files(tmp_path, {"products": products}, kinds=("products",)))

    assert _issues(report, "products") == [
        (
            3,
            "sales_price",
            "Missing column 'sales_price' in this row: it has 2 fields, the header has 3.",
        )
    ]
    assert list(Product.objects.values_list("name", flat=True)) == ["GTX Pro"]


def test_a_short_row_names_every_column_it_lacks(tmp_path):
    accounts = (
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Acme Corporation,technology,1996,1100.04,2822\n"
    )
    report = run_import(write_files(tmp_path, {"accounts": accounts}, kinds=("accounts",)))
    assert _issues(report, "accounts") == [
        (
            2,
            "office_location",
            "Missing columns 'office_location', 'subsidiary_of' in this row: it has 5 fields, "
            "the header has 7.",
        )
    ]
