"""factory_boy factories for the core models. Apps keep theirs in tests/<app>/factories.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from salesops.models import Account, Deal, DealSplit, Person, Product, Role, SalesCost, Team

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    region = "Central"


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda p: f"{p.name.lower().replace(' ', '.')}@example.com")
    role = Role.ACCOUNT_EXECUTIVE
    team = factory.SubFactory(TeamFactory)
    hourly_cost = Decimal("60.00")
    time_zone = "Europe/Berlin"
    hire_date = dt.date(2020, 1, 1)


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    sector = "technology"
    country = "DE"
    employees = 500
    annual_revenue = Decimal("10000000.00")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    series = "GTX"
    list_price = Decimal("1000.00")


class DealFactory(factory.django.DjangoModelFactory[Deal]):
    """A deal credited 100 % to its owner unless `splits` are given afterwards."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"D{n:07d}")
    account = factory.SubFactory(AccountFactory)
    product = factory.SubFactory(ProductFactory)
    owner = factory.SubFactory(PersonFactory)
    stage = "prospecting"
    amount = Decimal("1000.00")
    engage_date = dt.date(2026, 1, 5)

    @factory.post_generation
    def with_owner_split(obj: Deal, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            DealSplit.objects.create(deal=obj, person=obj.owner, percent=Decimal(100))


class WonDealFactory(DealFactory):
    stage = "won"
    close_value = Decimal("1000.00")
    close_date = dt.date(2026, 3, 15)


class SalesCostFactory(factory.django.DjangoModelFactory[SalesCost]):
    class Meta:
        model = SalesCost

    date = dt.date(2026, 3, 1)
    person = factory.SubFactory(PersonFactory)
    category = "salary"
    amount = Decimal("5000.00")
