from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from salesops.history import request_user_or_system


class CostCategory(models.TextChoices):
    SALARY = "salary", "Salary"
    COMMISSION = "commission", "Commission"
    TOOLS = "tools", "Tools"
    TRAVEL = "travel", "Travel"
    MARKETING = "marketing", "Allocated marketing"
    MEETING_TIME = "meeting_time", "Meeting time"
    ADJUSTMENT = "adjustment", "Adjustment"
    OTHER = "other", "Other"


class CostSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    IMPORT = "import", "Import"
    COMPUTED = "computed", "Computed"


class SalesCost(models.Model):
    """One entry of the sales-cost ledger, booked to exactly one person or one team."""

    date = models.DateField()
    # No single-column indexes: the (person, date) and (team, date) indexes below serve them.
    person = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="costs",
        db_index=False,
    )
    team = models.ForeignKey(
        "salesops.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="costs",
        db_index=False,
    )
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=CostSource.choices, default=CostSource.MANUAL)
    # Natural key of a computed or imported entry (e.g. "meeting:42"), so posting is idempotent.
    # NULL for manual entries: NULLs never collide in the unique constraint below.
    external_ref = models.CharField(max_length=100, null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # An input to pay (and to the efficiency ratio): every change is kept with who made it.
    history = HistoricalRecords(get_user=request_user_or_system)

    class Meta:
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(team__isnull=True))
                | (models.Q(person__isnull=True) & models.Q(team__isnull=False)),
                name="cost_person_xor_team",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0)
                | (models.Q(category="adjustment") & ~models.Q(note="")),
                name="cost_negative_only_adjustment_with_reason",
            ),
            models.UniqueConstraint(
                fields=["source", "external_ref", "person"],
                name="cost_external_ref_unique_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "date"]),
            models.Index(fields=["team", "date"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.category} {self.amount}"
