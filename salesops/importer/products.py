"""products file: `product, series, sales_price` → Product (natural key: name)."""

from __future__ import annotations

from salesops.importer.context import ImportContext
from salesops.importer.reader import ImportSource
from salesops.importer.report import FileReport
from salesops.importer.upsert import PendingRows, upsert_named
from salesops.importer.values import parse_decimal
from salesops.models import Product

COLUMNS = ("product", "series", "sales_price")


def import_products(context: ImportContext, source: ImportSource, report: FileReport) -> None:
    pending = PendingRows(context.products, report, "product", "product")
    for row in context.rows(source, report, required=COLUMNS):
        name = row.get("product")
        if not name:
            report.error(row.line, "product", "A product name is required.")
            continue
        price = parse_decimal(row, report, "sales_price", required=True)
        if price is None:
            continue
        pending.add(row, name, {"series": row.get("series"), "list_price": price})
    outcome = upsert_named(
        context=context,
        model=Product,
        index=context.products,
        pending=pending,
        fields=("series", "list_price"),
    )
    outcome.count(report, "product")
