"""Writes to the product catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesops.models import Product
from salesops.services.common import model_apply, name_taken

PRODUCT_FIELDS = ("name", "series", "list_price")


def _product_rules(product: Product) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name_taken(Product, product.name, exclude_pk=product.pk):
        errors["name"] = f"A product named '{product.name}' already exists."
    if product.list_price < 0:
        errors["list_price"] = "The list price cannot be negative."
    return errors


def product_create(
    *, name: str, series: str = "", list_price: Decimal = Decimal("0.00")
) -> Product:
    product = Product()
    data: dict[str, Any] = {"name": name.strip(), "series": series, "list_price": list_price}
    model_apply(instance=product, data=data, allowed=PRODUCT_FIELDS, rules=_product_rules)
    product.save()
    return product


def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    model_apply(instance=product, data=data, allowed=PRODUCT_FIELDS, rules=_product_rules)
    product.save()
    return product
