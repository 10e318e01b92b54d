from __future__ import annotations

import zoneinfo
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from salesops import calendar
from salesops.history import request_user_or_system


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone (e.g. Europe/Berlin).")


def default_time_zone() -> str:
    """New people start in the company's zone until they pick their own."""
    return calendar.company_zone().key


class Role(models.TextChoices):
    SDR = "sdr", "Sales development rep"
    ACCOUNT_EXECUTIVE = "account_executive", "Account executive"
    SALES_ADMIN = "sales_admin", "Sales administration"
    CUSTOMER_SUCCESS = "customer_success", "Customer success"
    SALES_MANAGER = "sales_manager", "Sales manager"
    SALES_OPS_MANAGER = "sales_ops_manager", "Sales operations manager"


REP_ROLES = frozenset({Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.SALES_ADMIN, Role.CUSTOMER_SUCCESS})


class TeamStructure(models.TextChoices):
    FUNCTIONAL = "functional", "Functional"
    PRODUCT = "product", "Product"
    MARKET = "market", "Market"
    TERRITORY = "territory", "Territory"
    HYBRID = "hybrid", "Hybrid"


class Team(models.Model):
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    manager = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    structure = models.CharField(
        max_length=20, choices=TeamStructure.choices, default=TeamStructure.TERRITORY
    )
    region = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="team_name_ci_unique"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="team_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A member of the sales org. People with financial history are deactivated, never deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.ACCOUNT_EXECUTIVE)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hourly_cost = models.DecimalField(
        "loaded hourly cost",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Fully loaded cost of one hour of this person's time, in the base currency.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="IANA zone: this person's pages are shown, and working hours read, in it.",
    )
    work_start = models.TimeField(default=time(9, 0))
    work_end = models.TimeField(default=time(17, 0))
    work_days = models.CharField(
        max_length=7,
        default="12345",
        help_text="ISO weekdays worked, 1=Monday … 7=Sunday.",
    )
    hire_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The hourly cost is an input to pay and to the cost ledger: changes are kept with who made
    # them (salesops.history).
    history = HistoricalRecords(get_user=request_user_or_system)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="person_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(hourly_cost__gte=0), name="person_hourly_cost_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(work_end__gt=models.F("work_start")),
                name="person_work_hours_ordered",
            ),
        ]
        indexes = [models.Index(fields=["team", "active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rep(self) -> bool:
        return self.role in REP_ROLES
