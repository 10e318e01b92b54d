"""Writes to accounts. Territory assignment (and any other listener) hears of every change
through `salesops.hooks.accounts_changed`, called after the transaction commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from salesops import hooks
from salesops.models import Account, Person
from salesops.services.common import model_apply, name_taken

ACCOUNT_FIELDS = (
    "name",
    "sector",
    "country",
    "region",
    "postal_code",
    "employees",
    "annual_revenue",
    "year_established",
    "parent",
    "owner",
)


def _account_rules(account: Account) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name_taken(Account, account.name, exclude_pk=account.pk):
        errors["name"] = f"An account named '{account.name}' already exists."
    if account.annual_revenue is not None and account.annual_revenue < 0:
        errors["annual_revenue"] = "Annual revenue cannot be negative."
    if account.parent_id is not None and account.parent_id == account.pk:
        errors["parent"] = "An account cannot be its own parent."
    return errors


def _notify(account: Account) -> None:
    account_id = account.pk
    transaction.on_commit(lambda: hooks.accounts_changed([account_id]))


@transaction.atomic
def account_create(
    *,
    name: str,
    sector: str = "",
    country: str = "",
    region: str = "",
    postal_code: str = "",
    employees: int | None = None,
    annual_revenue: Decimal | None = None,
    year_established: int | None = None,
    parent: Account | None = None,
    owner: Person | None = None,
) -> Account:
    account = Account()
    fields: dict[str, Any] = {
        "name": name.strip(),
        "sector": sector,
        "country": country.upper(),
        "region": region,
        "postal_code": postal_code,
        "employees": employees,
        "annual_revenue": annual_revenue,
        "year_established": year_established,
        "parent": parent,
        "owner": owner,
    }
    model_apply(instance=account, data=fields, allowed=ACCOUNT_FIELDS, rules=_account_rules)
    account.save()
    _notify(account)
    return account


@transaction.atomic
def account_update(*, account: Account, data: dict[str, Any]) -> Account:
    """Change an account; listeners are told only when something actually changed."""
    if isinstance(data.get("country"), str):
        data = {**data, "country": data["country"].upper()}
    changed = model_apply(instance=account, data=data, allowed=ACCOUNT_FIELDS, rules=_account_rules)
    if changed:
        account.save()
        _notify(account)
    return account
