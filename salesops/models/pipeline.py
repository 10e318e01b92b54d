from __future__ import annotations

from decimal import Decimal

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from salesops.history import request_user_or_system
from salesops.money import max_amount


def validate_country(value: str) -> None:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(f"'{value}' is not an ISO 3166 alpha-2 country code (e.g. DE, US).")


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    NEEDS_ASSESSMENT = "needs_assessment", "Needs assessment"
    PRESENTATION = "presentation", "Pitch & presentation"
    OBJECTION_HANDLING = "objection_handling", "Objection handling"
    CLOSING = "closing", "Closing"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (
    Stage.PROSPECTING,
    Stage.NEEDS_ASSESSMENT,
    Stage.PRESENTATION,
    Stage.OBJECTION_HANDLING,
    Stage.CLOSING,
)
CLOSED_STAGES = (Stage.WON, Stage.LOST)
# The order a deal moves through; won closes the last step.
STAGE_ORDER = (*OPEN_STAGES, Stage.WON)


class Account(models.Model):
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    region = models.CharField("region / state", max_length=80, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Annual revenue in the base currency (the CRM export gives millions).",
    )
    year_established = models.PositiveSmallIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    owner = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="account_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(annual_revenue__gte=0) | models.Q(annual_revenue__isnull=True),
                name="account_revenue_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "region"]),
            models.Index(fields=["sector"]),
            models.Index(fields=["owner"]),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=120)
    series = models.CharField(max_length=80, blank=True)
    list_price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="product_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="product_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="deals")
    # db_index=False: the (owner, stage) index below serves owner_id lookups.
    owner = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="deals", db_index=False
    )
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.PROSPECTING)
    # The stage a lost deal was in when it was lost; feeds stage-to-stage conversion.
    lost_at_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    # Bounded below the column (salesops.money): forms, the admin included, refuse a typo.
    amount = models.DecimalField(
        "expected amount",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[max_amount],
    )
    close_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[max_amount]
    )
    engage_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    # A won deal its own owner created or changed: shown to their manager until confirmed
    # (COMP_REP_DEALS_COUNT_UNCONFIRMED decides whether it is paid before that).
    entered_by_owner = models.BooleanField(default=False, db_default=False)  # raw inserts, COPY
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # An input to pay: every change is kept with who made it (salesops.history).
    history = HistoricalRecords(get_user=request_user_or_system)

    class Meta:
        ordering = ["-close_date", "external_id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage__in=["won", "lost"]) | models.Q(close_date__isnull=False),
                name="deal_closed_needs_close_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="won") | models.Q(close_value__isnull=False),
                name="deal_won_needs_close_value",
            ),
            models.CheckConstraint(
                condition=models.Q(close_value__gte=0) | models.Q(close_value__isnull=True),
                name="deal_close_value_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) | models.Q(amount__isnull=True),
                name="deal_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(close_date__isnull=True)
                | models.Q(engage_date__isnull=True)
                | models.Q(close_date__gte=models.F("engage_date")),
                name="deal_close_after_engage",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "close_date"]),
            models.Index(fields=["owner", "stage"]),
            # The default order (lists, GET /api/v1/deals/): a page of 50 reads 50 index entries
            # instead of sorting a million deals (1.3 s → 2 ms on the large demo).
            models.Index(fields=["-close_date", "external_id"], name="deal_default_order_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def needs_confirmation(self) -> bool:
        return self.entered_by_owner and self.confirmed_at is None


class DealSplit(models.Model):
    """Credit for a deal. A deal's splits sum to 100 % (the services keep it so)."""

    # No single-column indexes: the unique (deal, person) constraint serves deal_id lookups and
    # the (person, deal) index person_id ones.
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="splits", db_index=False)
    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="deal_splits", db_index=False
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("100.00"))
    history = HistoricalRecords(get_user=request_user_or_system)

    class Meta:
        ordering = ["deal", "-percent"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="deal_split_unique_person"),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0) & models.Q(percent__lte=100),
                name="deal_split_percent_range",
            ),
        ]
        indexes = [models.Index(fields=["person", "deal"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.person_id} {self.percent}%"
