"""Models of the compensation app: quotas, plans, assignments, statements, disputes.

Why one module: the app's models point at each other (plans, versions, assignments,
statements, lines, payout entries, disputes) and hold only fields and constraints; one file is the
pay schema read in one place, as Django's makemigrations sees it.

Every model that holds pay data keeps an audit history (django-simple-history) with the acting
user. Writes go through compensation.services; nothing here holds business logic.

Territory quotas point at territories.Territory (PROTECT: pay data outlives a planning model).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from salesops.money import max_amount, min_amount


class Metric(models.TextChoices):
    REVENUE = "revenue", "Revenue (credited won value)"
    NEW_LOGOS = "new_logos", "New logos"
    MEETINGS_HELD = "meetings_held", "Meetings held"
    PIPELINE_CREATED = "pipeline_created", "Pipeline created"
    RETENTION = "retention", "Retention (renewal revenue)"


class Quota(models.Model):
    """A quota for one fiscal month. Quarter and year quotas are the sums of their months; an
    annual number is spread over months by the services (seasonality, ramp)."""

    person = models.ForeignKey(
        "salesops.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="quotas"
    )
    team = models.ForeignKey(
        "salesops.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="quotas"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotas",
    )
    metric = models.CharField(max_length=20, choices=Metric.choices, default=Metric.REVENUE)
    fiscal_year = models.PositiveSmallIntegerField()
    period_start = models.DateField(help_text="First day of the fiscal month.")
    period_end = models.DateField(help_text="Last day of the fiscal month.")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    basis = models.CharField(
        max_length=255, blank=True, help_text="How the amount was derived (seasonality, ramp)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, team__isnull=True, territory__isnull=True)
                    | Q(person__isnull=True, team__isnull=False, territory__isnull=True)
                    | Q(person__isnull=True, team__isnull=True, territory__isnull=False)
                ),
                name="quota_one_assignee",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="quota_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["person", "metric", "period_start"],
                condition=Q(person__isnull=False),
                name="quota_unique_person_month",
            ),
            models.UniqueConstraint(
                fields=["team", "metric", "period_start"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_month",
            ),
            models.UniqueConstraint(
                fields=["territory", "metric", "period_start"],
                condition=Q(territory__isnull=False),
                name="quota_unique_territory_month",
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "period_start"]),
            models.Index(fields=["fiscal_year", "metric"]),
        ]

    def __str__(self) -> str:
        who = self.person or self.team or self.territory
        return f"{who} {self.metric} {self.period_start:%Y-%m}"

    @property
    def assignee_label(self) -> str:
        if self.person_id:
            return str(self.person)
        if self.team_id:
            return f"Team {self.team}"
        return f"Territory {self.territory}"


class CommissionPlan(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved (immutable)"


class PlanVersion(models.Model):
    """The rules of a plan from `effective_from` on. Immutable once approved (services refuse)."""

    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    status = models.CharField(
        max_length=10, choices=PlanVersionStatus.choices, default=PlanVersionStatus.DRAFT
    )
    definition = models.JSONField(help_text="The plan rules (schema in docs/compensation.md).")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="plan_version_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanAssignment(models.Model):
    """Who is paid on which plan, from `start` to `end` (inclusive; open-ended when null)."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="plan_assignments"
    )
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="assignments")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    target_incentive = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Commission at 100 % of quota for the period; needed by % caps.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="plan_assignment_ordered",
            ),
            models.CheckConstraint(
                condition=Q(target_incentive__isnull=True) | Q(target_incentive__gte=0),
                name="plan_assignment_target_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.person} on {self.plan} from {self.start}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved (locked)"
    PAID = "paid", "Paid"


class Statement(models.Model):
    """One person's commission statement for one fiscal month. Locked once approved."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="statements"
    )
    fiscal_year = models.PositiveSmallIntegerField()
    period_key = models.CharField(max_length=12)
    period_start = models.DateField()
    period_end = models.DateField()
    plan_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    status = models.CharField(
        max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    quota = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    credited = models.DecimalField(max_digits=24, decimal_places=8, default=Decimal(0))
    attainment = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    reached_tier = models.CharField(max_length=120, blank=True)
    commission = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    earned = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    payable = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    carry_forward = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    draw_balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    generated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Why the last generation could not compute this statement (no amounts: pay never reaches
    # logs); empty when it did. A statement with an error cannot be approved.
    error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_start"], name="statement_unique_person_period"
            ),
            models.CheckConstraint(condition=Q(payable__gte=0), name="statement_payable_gte_0"),
            models.CheckConstraint(
                condition=Q(carry_forward__lte=0), name="statement_carry_forward_lte_0"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="statement_locked_has_approval",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start"])]

    def __str__(self) -> str:
        return f"{self.person} {self.period_key}"


class StatementLine(models.Model):
    """One line with its own explanation: tier, rate, base and the formula to check it by hand."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    deal = models.ForeignKey(
        "salesops.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ref = models.CharField(max_length=80, blank=True)
    description = models.CharField(max_length=255)
    tier = models.CharField(max_length=255, blank=True)
    base = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    formula = models.TextField(blank=True)
    slices = models.JSONField(default=list, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # What the line pays in the payout ledger: its kind, or for a correction the kind it corrects;
    # and the fiscal month whose computation the amount comes from (the deal's credit month).
    component = models.CharField(max_length=20, blank=True)
    measure_period = models.DateField(null=True, blank=True)
    # The plan component that owes the line ("" for a format-1 plan's only one) and its measure;
    # for a period component's advance or true-up, measure_period is its measurement period.
    plan_component = models.CharField(max_length=60, blank=True)
    measure = models.CharField(max_length=20, default="revenue")
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="statement_line_unique_position"
            )
        ]
        indexes = [models.Index(fields=["deal", "kind"])]

    def __str__(self) -> str:
        return f"{self.statement} #{self.position} {self.kind}"


class PayoutComponent(models.TextChoices):
    COMMISSION = "commission", "Commission"
    SPIF = "spif", "SPIF"
    CAP = "cap", "Cap"
    CLAWBACK = "clawback", "Clawback"
    DRAW = "draw", "Draw top-up"
    DRAW_RECOVERY = "draw_recovery", "Draw recovery"
    ADJUSTMENT = "adjustment", "Adjustment"
    ADVANCE = "advance", "Advance (period component)"
    TRUE_UP = "true_up", "True-up (period component)"
    COMPONENT = "component", "Monthly component"


PERIOD_COMPONENTS = (PayoutComponent.ADVANCE, PayoutComponent.TRUE_UP, PayoutComponent.COMPONENT)
DEAL_COMPONENTS = (PayoutComponent.COMMISSION, PayoutComponent.SPIF, PayoutComponent.CLAWBACK)


class PayoutEntry(models.Model):
    """The payout ledger: one row per line of an approved statement, recording what it paid
    and what for (person, deal, credit share, measure, month, plan version). Written once when the
    statement is approved, never changed: "already paid" for (person, deal, component) is the sum
    of these rows, and a statement pays only the difference to what is owed now."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="payouts")
    line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="payout")
    person = models.ForeignKey("salesops.Person", on_delete=models.PROTECT, related_name="+")
    deal = models.ForeignKey(
        "salesops.Deal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    component = models.CharField(max_length=20, choices=PayoutComponent.choices)
    correction = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    share = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Split percent."
    )
    base = models.DecimalField(
        max_digits=24, decimal_places=8, null=True, blank=True, help_text="Credited value."
    )
    measure = models.CharField(max_length=20, default="revenue")
    plan_component = models.CharField(
        max_length=60, blank=True, help_text="The plan component ('' = a format-1 plan's)."
    )
    period_start = models.DateField(
        help_text="The fiscal month whose computation owed this; for a period component's "
        "advance or true-up, its measurement period's first day."
    )
    plan_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement", "line"]
        constraints = [
            models.CheckConstraint(
                condition=Q(component__in=[c.value for c in PayoutComponent]),
                name="payout_component_known",
            ),
            models.CheckConstraint(
                condition=~Q(component__in=[c.value for c in DEAL_COMPONENTS])
                | Q(deal__isnull=False),
                name="payout_deal_component_has_deal",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="payout_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["person", "deal", "component"]),
            models.Index(fields=["person", "plan_component", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.component} {self.amount} ({self.statement_id})"


class Adjustment(models.Model):
    """A manual correction that goes on the person's statement for the month of `period_start`
    (approved statements never change: corrections land on the next open one)."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="pay_adjustments"
    )
    period_start = models.DateField()
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[min_amount, max_amount]
    )
    reason = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "id"]
        indexes = [models.Index(fields=["person", "period_start"])]

    def __str__(self) -> str:
        return f"{self.person} {self.period_start:%Y-%m} adjustment"


class ReversalReason(models.TextChoices):
    LOST = "lost", "Lost after being won"
    REFUNDED = "refunded", "Refunded"


class DealReversal(models.Model):
    """A won deal that was lost or refunded: clawed back if within the plan's clawback days."""

    deal = models.OneToOneField("salesops.Deal", on_delete=models.PROTECT, related_name="+")
    reversed_on = models.DateField()
    reason = models.CharField(max_length=10, choices=ReversalReason.choices)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reversed_on"]

    def __str__(self) -> str:
        return f"{self.deal} {self.reason} {self.reversed_on}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Dispute(models.Model):
    """A rep's objection to one statement line. Keeps a snapshot of the line: draft lines are
    rebuilt by recalculation, so the link to the line itself may go away."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="disputes")
    line = models.ForeignKey(
        StatementLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes"
    )
    line_description = models.CharField(max_length=255)
    line_amount = models.DecimalField(max_digits=14, decimal_places=2)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField()
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status="open"),
                name="dispute_one_open_per_line",
            )
        ]

    def __str__(self) -> str:
        return f"dispute {self.pk} on {self.statement}"


class PlanAcknowledgement(models.Model):
    """A person's acceptance of one approved plan version (the plan document they were shown).
    Written once by compensation.services.acknowledgements; never changed."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="plan_acknowledgements"
    )
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "version"], name="plan_acknowledgement_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} acknowledged {self.version}"


class OverlayRole(models.TextChoices):
    SOLUTIONS_ENGINEER = "solutions_engineer", "Solutions engineer"
    MANAGER_OVERRIDE = "manager_override", "Manager override"
    SPECIALIST = "specialist", "Product specialist"


class OverlayCredit(models.Model):
    """Overlay credit: a second credit type beside the deal's 100 % split (salesops.DealSplit),
    for pay only. Counted by plan components whose `credit` lists "overlay"; never revenue, so
    it never changes the split's credit for efficiency. Written by
    compensation.services.overlay."""

    deal = models.ForeignKey("salesops.Deal", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="overlay_credits"
    )
    role = models.CharField(max_length=20, choices=OverlayRole.choices)
    percent = models.DecimalField(
        max_digits=7, decimal_places=4, help_text="% of the deal's close value credited."
    )
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deal", "person"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="overlay_once_per_person"),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100), name="overlay_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in OverlayRole]), name="overlay_role_known"
            ),
        ]
        indexes = [models.Index(fields=["person", "deal"])]

    def __str__(self) -> str:
        return f"{self.person} overlay {self.percent} % on {self.deal}"


class MboScore(models.Model):
    """A manager's score (0–200 %) of one person's MBO component for one measurement period
    (keyed by the component's name and the period's first day). The MBO component's measure;
    its quota is 100. Written by compensation.services.overlay.mbo_score_set."""

    person = models.ForeignKey("salesops.Person", on_delete=models.PROTECT, related_name="+")
    component = models.CharField(max_length=60)
    period_start = models.DateField()
    score = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=255, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "component", "period_start"], name="mbo_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=200), name="mbo_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.component} {self.period_start}: {self.score} %"
