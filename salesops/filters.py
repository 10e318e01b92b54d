"""One FilterSet per listable core entity, shared by the API and the pages.

Foreign keys filter by id with NumberFilter (not ModelChoiceFilter): it costs no query, and an id
outside the caller's scope simply matches nothing instead of confirming that the row exists."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q

from salesops.models import (
    Account,
    CostCategory,
    CostSource,
    Deal,
    Person,
    Product,
    Role,
    SalesCost,
    Stage,
    Team,
    TeamStructure,
)


class PersonFilter(df.FilterSet):
    role = df.MultipleChoiceFilter(choices=Role.choices)
    team = df.NumberFilter(field_name="team_id")
    manager = df.NumberFilter(field_name="manager_id")
    active = df.BooleanFilter()
    hired_after = df.DateFilter(field_name="hire_date", lookup_expr="gte")
    hired_before = df.DateFilter(field_name="hire_date", lookup_expr="lte")

    class Meta:
        model = Person
        fields = ["role", "team", "manager", "active"]


class TeamFilter(df.FilterSet):
    parent = df.NumberFilter(field_name="parent_id")
    manager = df.NumberFilter(field_name="manager_id")
    structure = df.ChoiceFilter(choices=TeamStructure.choices)
    region = df.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Team
        fields = ["parent", "manager", "structure", "region"]


class AccountFilter(df.FilterSet):
    sector = df.CharFilter(lookup_expr="iexact")
    country = df.CharFilter(lookup_expr="iexact")
    region = df.CharFilter(lookup_expr="iexact")
    owner = df.NumberFilter(field_name="owner_id")
    parent = df.NumberFilter(field_name="parent_id")
    min_revenue = df.NumberFilter(field_name="annual_revenue", lookup_expr="gte")
    max_revenue = df.NumberFilter(field_name="annual_revenue", lookup_expr="lte")
    min_employees = df.NumberFilter(field_name="employees", lookup_expr="gte")
    max_employees = df.NumberFilter(field_name="employees", lookup_expr="lte")

    class Meta:
        model = Account
        fields = ["sector", "country", "region", "owner", "parent"]


class ProductFilter(df.FilterSet):
    series = df.CharFilter(lookup_expr="iexact")
    min_price = df.NumberFilter(field_name="list_price", lookup_expr="gte")
    max_price = df.NumberFilter(field_name="list_price", lookup_expr="lte")

    class Meta:
        model = Product
        fields = ["series"]


class DealFilter(df.FilterSet):
    stage = df.MultipleChoiceFilter(choices=Stage.choices)
    owner = df.NumberFilter(field_name="owner_id")
    # Deals someone holds a split in (their own or shared ones).
    person = df.NumberFilter(field_name="splits__person_id", distinct=True)
    team = df.NumberFilter(field_name="owner__team_id")
    account = df.NumberFilter(field_name="account_id")
    product = df.NumberFilter(field_name="product_id")
    closed_after = df.DateFilter(field_name="close_date", lookup_expr="gte")
    closed_before = df.DateFilter(field_name="close_date", lookup_expr="lte")
    engaged_after = df.DateFilter(field_name="engage_date", lookup_expr="gte")
    engaged_before = df.DateFilter(field_name="engage_date", lookup_expr="lte")
    min_amount = df.NumberFilter(field_name="amount", lookup_expr="gte")
    max_amount = df.NumberFilter(field_name="amount", lookup_expr="lte")
    # Won deals their owner entered that await the manager's confirmation.
    needs_confirmation = df.BooleanFilter(method="filter_needs_confirmation")

    class Meta:
        model = Deal
        fields = ["stage", "owner", "account", "product"]

    def filter_needs_confirmation(self, qs: Any, name: str, value: bool) -> Any:
        waiting = Q(entered_by_owner=True, confirmed_at__isnull=True)
        return qs.filter(waiting) if value else qs.exclude(waiting)


class SalesCostFilter(df.FilterSet):
    person = df.NumberFilter(field_name="person_id")
    team = df.NumberFilter(field_name="team_id")
    category = df.MultipleChoiceFilter(choices=CostCategory.choices)
    source = df.ChoiceFilter(choices=CostSource.choices)
    date_from = df.DateFilter(field_name="date", lookup_expr="gte")
    date_to = df.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = SalesCost
        fields = ["person", "team", "category", "source"]
