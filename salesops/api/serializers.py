"""Input and output serializers of the core API. Output serializers only read; input serializers
only parse and type-check (the services validate the domain rules) and reject any field they do
not declare with a 400 naming it, so a request can never change something silently ignored."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import exceptions, serializers

from salesops.api.fields import BlankableEmailField, WallClockTimeField
from salesops.models import (
    OPEN_STAGES,
    Account,
    CostCategory,
    Deal,
    DealSplit,
    Person,
    Product,
    Role,
    SalesCost,
    Stage,
    Team,
    TeamStructure,
)
from salesops.money import MAX_AMOUNT, TOO_LARGE

# A deal is lost from an open stage (empty while it is not lost).
LOST_FROM_CHOICES = [(stage.value, stage.label) for stage in OPEN_STAGES]
ONLY_SALES_OPS = "Only sales operations and admins may change this field."
UNKNOWN_FIELD = "Unknown field."


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that answers 400 for fields it does not declare.

    `restricted_fields` are fields that exist for other callers (e.g. a deal's owner, which only
    sales ops may change): they get a message saying so instead of "Unknown field."."""

    restricted_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            extra = sorted(set(data) - set(self.fields))
            if extra:
                errors = {
                    name: [ONLY_SALES_OPS if name in self.restricted_fields else UNKNOWN_FIELD]
                    for name in extra
                }
                if set(extra) <= self.restricted_fields:  # a refusal, not bad input: 403
                    raise exceptions.PermissionDenied(errors)
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _deal_value(**kwargs: Any) -> serializers.DecimalField:
    """A deal's expected amount or close value, up to what pay can hold (salesops.money); the
    service says why a negative one is refused."""
    return _money(max_value=MAX_AMOUNT, error_messages={"max_value": TOO_LARGE}, **kwargs)


# --- people and teams -----------------------------------------------------------------------


class PersonOutputSerializer(serializers.ModelSerializer[Person]):
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    manager_name = serializers.CharField(source="manager.name", read_only=True, allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    email = BlankableEmailField(read_only=True)
    work_start = WallClockTimeField(read_only=True)
    work_end = WallClockTimeField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "username",
            "role",
            "team",
            "team_name",
            "manager",
            "manager_name",
            "hourly_cost",
            "time_zone",
            "work_start",
            "work_end",
            "work_days",
            "hire_date",
            "active",
        ]
        read_only_fields = fields


class PersonInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    email = BlankableEmailField(required=False, allow_blank=True)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    hourly_cost = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    work_start = WallClockTimeField(required=False)
    work_end = WallClockTimeField(required=False)
    work_days = serializers.CharField(max_length=7, required=False)
    hire_date = serializers.DateField(required=False, allow_null=True)


class TeamOutputSerializer(serializers.ModelSerializer[Team]):
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    manager_name = serializers.CharField(source="manager.name", read_only=True, allow_null=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "parent",
            "parent_name",
            "manager",
            "manager_name",
            "structure",
            "region",
        ]
        read_only_fields = fields


class TeamInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    structure = serializers.ChoiceField(choices=TeamStructure.choices, required=False)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)


# --- reference data -------------------------------------------------------------------------


class AccountOutputSerializer(serializers.ModelSerializer[Account]):
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "sector",
            "country",
            "region",
            "postal_code",
            "employees",
            "annual_revenue",
            "year_established",
            "parent",
            "parent_name",
            "owner",
            "owner_name",
        ]
        read_only_fields = fields


class AccountInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    sector = serializers.CharField(max_length=80, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    region = serializers.CharField(max_length=80, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    employees = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )
    annual_revenue = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    year_established = serializers.IntegerField(
        min_value=1000, max_value=9999, required=False, allow_null=True
    )
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )


class ProductOutputSerializer(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ["id", "name", "series", "list_price"]
        read_only_fields = fields


class ProductInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    series = serializers.CharField(max_length=80, required=False, allow_blank=True)
    list_price = _money(required=False)


# --- deals ----------------------------------------------------------------------------------


class DealSplitOutputSerializer(serializers.ModelSerializer[DealSplit]):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = DealSplit
        fields = ["person", "person_name", "percent"]
        read_only_fields = fields


class DealOutputSerializer(serializers.ModelSerializer[Deal]):
    lost_at_stage = serializers.ChoiceField(choices=LOST_FROM_CHOICES, allow_blank=True)
    account_name = serializers.CharField(source="account.name", read_only=True, allow_null=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    splits = DealSplitOutputSerializer(many=True, read_only=True)
    needs_confirmation = serializers.BooleanField(
        read_only=True, help_text="Won and entered by its owner; their manager has not confirmed."
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "external_id",
            "account",
            "account_name",
            "product",
            "product_name",
            "owner",
            "owner_name",
            "stage",
            "lost_at_stage",
            "amount",
            "close_value",
            "engage_date",
            "close_date",
            "stage_entered_at",
            "splits",
            "entered_by_owner",
            "needs_confirmation",
            "confirmed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DealSplitInputSerializer(StrictInputSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(100)
    )


class DealSplitsInputSerializer(StrictInputSerializer):
    splits = DealSplitInputSerializer(many=True, allow_empty=False)


def _new_external_id() -> str:
    return f"SO-{uuid.uuid4().hex[:12].upper()}"


class DealCreateInputSerializer(StrictInputSerializer):
    """Sales ops create deals for anyone; anyone else creates deals they own (owner = themselves,
    credited 100 %: splits name other people, so they are for sales ops)."""

    external_id = serializers.CharField(max_length=64, required=False, default=_new_external_id)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    amount = _deal_value(required=False, allow_null=True)
    close_value = _deal_value(required=False, allow_null=True)
    engage_date = serializers.DateField(required=False, allow_null=True)
    close_date = serializers.DateField(required=False, allow_null=True)
    splits = DealSplitInputSerializer(many=True, required=False, allow_empty=False)


class DealRepUpdateInputSerializer(StrictInputSerializer):
    """What a deal's owner may change (salesops.services.deals.REP_EDITABLE_FIELDS)."""

    restricted_fields = frozenset({"owner", "product", "external_id", "splits"})

    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    amount = _deal_value(required=False, allow_null=True)
    close_value = _deal_value(required=False, allow_null=True)
    engage_date = serializers.DateField(required=False, allow_null=True)
    close_date = serializers.DateField(required=False, allow_null=True)
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    lost_at_stage = serializers.ChoiceField(
        choices=LOST_FROM_CHOICES, required=False, allow_blank=True
    )


class DealUpdateInputSerializer(DealRepUpdateInputSerializer):
    """What sales ops and admins may change: the owner's fields plus owner, product and splits."""

    restricted_fields = frozenset()

    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    splits = DealSplitInputSerializer(many=True, required=False, allow_empty=False)


class DealStageInputSerializer(StrictInputSerializer):
    """Move a deal to a stage; closing needs a close date (and a won deal a close value)."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    close_date = serializers.DateField(required=False, allow_null=True)
    close_value = _deal_value(required=False, allow_null=True)
    lost_at_stage = serializers.ChoiceField(
        choices=LOST_FROM_CHOICES, required=False, allow_blank=True
    )


# --- costs ----------------------------------------------------------------------------------


class SalesCostOutputSerializer(serializers.ModelSerializer[SalesCost]):
    person_name = serializers.CharField(source="person.name", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)

    class Meta:
        model = SalesCost
        fields = [
            "id",
            "date",
            "person",
            "person_name",
            "team",
            "team_name",
            "category",
            "amount",
            "source",
            "external_ref",
            "note",
        ]
        read_only_fields = fields


class SalesCostInputSerializer(StrictInputSerializer):
    date = serializers.DateField()
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(choices=CostCategory.choices)
    amount = _money()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)
