"""Input and output serializers of the territories API (separate, per the house style)."""

from __future__ import annotations

from rest_framework import serializers

from salesops.models import Account, Person
from territories.models import (
    AccountTerritory,
    AssignmentRule,
    CoverageRole,
    ModelState,
    Pin,
    PinKind,
    Territory,
    TerritoryAssignment,
    TerritoryModel,
    TerritoryType,
)

# --- output ---------------------------------------------------------------------------------


class TerritoryModelOut(serializers.ModelSerializer[TerritoryModel]):
    class Meta:
        model = TerritoryModel
        fields = ["id", "name", "state", "description", "activated_on", "archived_on", "created_at"]


class TerritoryOut(serializers.ModelSerializer[Territory]):
    class Meta:
        model = Territory
        fields = ["id", "model", "parent", "name", "type", "path", "depth", "copied_from"]


RULE_FIELDS = [
    "name",
    "priority",
    "countries",
    "regions",
    "sectors",
    "postal_prefix",
    "postal_from",
    "postal_to",
    "employees_min",
    "employees_max",
    "revenue_min",
    "revenue_max",
    "name_pattern",
    "fixed",
]


class RuleOut(serializers.ModelSerializer[AssignmentRule]):
    model = serializers.IntegerField(source="territory.model_id", read_only=True)

    class Meta:
        model = AssignmentRule
        fields = ["id", "territory", "model", *RULE_FIELDS]


class PinOut(serializers.ModelSerializer[Pin]):
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = Pin
        fields = ["id", "model", "account", "account_name", "kind", "territory", "source", "reason"]


class CoverageOut(serializers.ModelSerializer[TerritoryAssignment]):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TerritoryAssignment
        fields = [
            "id",
            "territory",
            "person",
            "person_name",
            "role",
            "effective_from",
            "effective_to",
        ]


class AccountAssignmentOut(serializers.ModelSerializer[AccountTerritory]):
    account_name = serializers.CharField(source="account.name", read_only=True)
    country = serializers.CharField(source="account.country", read_only=True)
    annual_revenue = serializers.DecimalField(
        source="account.annual_revenue", max_digits=18, decimal_places=2, read_only=True
    )

    class Meta:
        model = AccountTerritory
        fields = [
            "account",
            "account_name",
            "country",
            "annual_revenue",
            "territory",
            "rule",
            "source",
            "valid_from",
        ]


class SpreadOut(serializers.Serializer[object]):
    n = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=24, decimal_places=2)
    mean = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    cv = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    max_min = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    gini = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class MetricsOut(serializers.Serializer[object]):
    territory = serializers.IntegerField(source="territory.pk")
    name = serializers.CharField(source="territory.name")
    parent = serializers.IntegerField(source="territory.parent_id", allow_null=True)  # type: ignore[assignment]
    depth = serializers.IntegerField(source="territory.depth")
    accounts = serializers.IntegerField()
    potential = serializers.DecimalField(max_digits=24, decimal_places=2)
    pipeline = serializers.DecimalField(max_digits=24, decimal_places=2)
    won_ytd = serializers.DecimalField(max_digits=24, decimal_places=2)
    people = serializers.IntegerField()
    quota = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    overloaded = serializers.BooleanField()


class GroupOut(serializers.Serializer[object]):
    parent = serializers.IntegerField(source="parent.pk", allow_null=True, default=None)  # type: ignore[assignment]
    territories = serializers.SerializerMethodField()
    spread = SpreadOut()

    def get_territories(self, group: object) -> list[int]:
        return [m.territory.pk for m in group.members]  # type: ignore[attr-defined]


class BalanceOut(serializers.Serializer[object]):
    fiscal_year = serializers.IntegerField()
    k = serializers.DecimalField(max_digits=12, decimal_places=4)
    territories = MetricsOut(many=True, source="rows")
    groups = GroupOut(many=True)


class RunOut(serializers.Serializer[object]):
    dry_run = serializers.BooleanField()
    accounts = serializers.IntegerField()
    by_rule = serializers.IntegerField()
    pinned = serializers.IntegerField()
    excluded = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    changed = serializers.IntegerField()


class PreviewOut(serializers.Serializer[object]):
    model_id = serializers.IntegerField()
    active_model_id = serializers.IntegerField(allow_null=True)
    moves = serializers.IntegerField()
    territories = serializers.ListField(child=serializers.DictField())
    owners = serializers.ListField(child=serializers.DictField())
    sample = serializers.ListField(child=serializers.DictField())


class MoveOut(serializers.Serializer[object]):
    from_territory = serializers.IntegerField(source="from_id")
    to_territory = serializers.IntegerField(source="to_id")
    unit = serializers.CharField(source="unit.key")
    value = serializers.DecimalField(source="unit.value", max_digits=24, decimal_places=2)
    accounts = serializers.ListField(child=serializers.IntegerField(), source="unit.account_ids")


class ProposalOut(serializers.Serializer[object]):
    parent = serializers.IntegerField(source="parent.pk", allow_null=True, default=None)  # type: ignore[assignment]
    before = serializers.DictField(child=serializers.DecimalField(max_digits=24, decimal_places=2))
    after = serializers.DictField(child=serializers.DecimalField(max_digits=24, decimal_places=2))
    spread_before = SpreadOut()
    spread_after = SpreadOut()
    accounts_moved = serializers.IntegerField()
    moves = MoveOut(many=True)


# --- input ----------------------------------------------------------------------------------


class TerritoryModelIn(serializers.Serializer[object]):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CloneIn(serializers.Serializer[object]):
    name = serializers.CharField(max_length=120)


class TerritoryIn(serializers.Serializer[object]):
    model = serializers.PrimaryKeyRelatedField(
        queryset=TerritoryModel.objects.exclude(state=ModelState.ARCHIVED)
    )
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    name = serializers.CharField(max_length=120)
    type = serializers.ChoiceField(choices=TerritoryType.choices, default=TerritoryType.GEOGRAPHIC)


class RuleIn(serializers.Serializer[object]):
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all())
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    priority = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)
    countries = serializers.ListField(child=serializers.CharField(), required=False)
    regions = serializers.ListField(child=serializers.CharField(), required=False)
    sectors = serializers.ListField(child=serializers.CharField(), required=False)
    postal_prefix = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_from = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_to = serializers.CharField(max_length=20, required=False, allow_blank=True)
    employees_min = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )
    employees_max = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )
    revenue_min = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    revenue_max = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    name_pattern = serializers.CharField(max_length=200, required=False, allow_blank=True)
    fixed = serializers.BooleanField(required=False)


class PinIn(serializers.Serializer[object]):
    model = serializers.PrimaryKeyRelatedField(queryset=TerritoryModel.objects.all())
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    kind = serializers.ChoiceField(choices=PinKind.choices, default=PinKind.PIN)
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CoverageIn(serializers.Serializer[object]):
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    role = serializers.ChoiceField(choices=CoverageRole.choices, default=CoverageRole.OWNER)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, default=None)


class RebalanceIn(serializers.Serializer[object]):
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    max_moves = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    keep_countries_whole = serializers.BooleanField(required=False, default=False)
