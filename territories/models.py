"""Territory models: a tree of territories per model, rules, pins, coverage and assignment history.

The tree is a materialised path (`path` = "/<root id>/<child id>/…/", `depth` = 0 for roots):
a subtree is one indexed `path LIKE '<path>%'`, ancestors are `<path> LIKE ancestor.path || '%'`,
both set-based, with no extension and no extra table. See docs/territories.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModelState(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class TerritoryModel(models.Model):
    name = models.CharField(max_length=120)
    state = models.CharField(max_length=10, choices=ModelState.choices, default=ModelState.PLANNING)
    description = models.TextField(blank=True)
    # Live period (dates in the company time zone): assignment history and coverage of a model
    # count for efficiency and deal territories only while it is live.
    activated_on = models.DateField(null=True, blank=True)
    archived_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-state", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="active"),
                name="territory_model_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    @property
    def is_editable(self) -> bool:
        return self.state != ModelState.ARCHIVED


class TerritoryType(models.TextChoices):
    GEOGRAPHIC = "geographic", "Geographic"
    INDUSTRY = "industry", "Industry"
    SEGMENT = "segment", "Segment"
    NAMED_ACCOUNTS = "named_accounts", "Named accounts"
    HYBRID = "hybrid", "Hybrid"


class Territory(models.Model):
    model = models.ForeignKey(TerritoryModel, on_delete=models.CASCADE, related_name="territories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=120)
    type = models.CharField(
        max_length=20, choices=TerritoryType.choices, default=TerritoryType.GEOGRAPHIC
    )
    path = models.CharField(max_length=255, blank=True, help_text="Materialised path /id/…/id/.")
    depth = models.PositiveSmallIntegerField(default=0)
    # The territory of another model this one was cloned from: the preview maps moves through it.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "path"]
        verbose_name_plural = "territories"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "parent", "name"], name="territory_sibling_name"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="territory_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["model", "path"]), models.Index(fields=["path"])]

    def __str__(self) -> str:
        return self.name


class AssignmentRule(models.Model):
    """Criteria on account fields. Criteria of one rule are ANDed; a territory's rules are ORed.

    Empty lists and blank/NULL bounds mean "any". Bounds are inclusive. `name_pattern` uses `*`
    (any run) and `?` (one character), case-insensitive. Higher `priority` wins.
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=120, blank=True)
    priority = models.IntegerField(default=100)
    countries = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    postal_prefix = models.CharField(max_length=20, blank=True)
    postal_from = models.CharField(max_length=20, blank=True)
    postal_to = models.CharField(max_length=20, blank=True)
    employees_min = models.PositiveIntegerField(null=True, blank=True)
    employees_max = models.PositiveIntegerField(null=True, blank=True)
    revenue_min = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    revenue_max = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    name_pattern = models.CharField(max_length=200, blank=True)
    # Rebalancing never moves an account this rule assigns.
    fixed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(employees_min__isnull=True)
                | models.Q(employees_max__isnull=True)
                | models.Q(employees_max__gte=models.F("employees_min")),
                name="rule_employees_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(revenue_min__isnull=True)
                | models.Q(revenue_max__isnull=True)
                | models.Q(revenue_max__gte=models.F("revenue_min")),
                name="rule_revenue_ordered",
            ),
        ]
        indexes = [models.Index(fields=["territory", "priority"])]

    def __str__(self) -> str:
        return self.name or f"rule {self.pk}"


class PinKind(models.TextChoices):
    PIN = "pin", "Pin to territory"
    EXCLUSION = "exclusion", "Exclude from model"


class PinSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    REBALANCE = "rebalance", "Rebalancing proposal"


class Pin(models.Model):
    """A manual override for one account in one model: pinned to a territory, or excluded.

    Pins and exclusions win over rules. One override per (model, account).
    """

    model = models.ForeignKey(TerritoryModel, on_delete=models.CASCADE, related_name="pins")
    account = models.ForeignKey(
        "salesops.Account", on_delete=models.CASCADE, related_name="territory_pins"
    )
    kind = models.CharField(max_length=10, choices=PinKind.choices, default=PinKind.PIN)
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.CASCADE, related_name="pins"
    )
    source = models.CharField(max_length=10, choices=PinSource.choices, default=PinSource.MANUAL)
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "account"]
        constraints = [
            models.UniqueConstraint(fields=["model", "account"], name="pin_one_per_model_account"),
            models.CheckConstraint(
                condition=(models.Q(kind="pin") & models.Q(territory__isnull=False))
                | (models.Q(kind="exclusion") & models.Q(territory__isnull=True)),
                name="pin_territory_iff_pin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.territory_id or 'excluded'}"


class CoverageRole(models.TextChoices):
    OWNER = "owner", "Owner"
    OVERLAY = "overlay", "Overlay"
    SUPPORT = "support", "Support"


class TerritoryAssignment(models.Model):
    """A person covering a territory in a role from `effective_from` to `effective_to` (inclusive).

    Two owners of one territory never overlap: a PostgreSQL exclusion constraint (migration 0002),
    and the same check first in `coverage_assign`, for a clear validation error.
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="coverage")
    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="territory_assignments"
    )
    role = models.CharField(max_length=10, choices=CoverageRole.choices, default=CoverageRole.OWNER)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["territory", "role", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="coverage_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "effective_from"]),
            models.Index(fields=["territory", "role"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} of {self.territory_id}"


class AssignmentSource(models.TextChoices):
    RULE = "rule", "Rule"
    PIN = "pin", "Pin"
    EXCLUDED = "excluded", "Excluded"
    UNASSIGNED = "unassigned", "Unassigned (no rule matches)"


class AccountTerritory(models.Model):
    """Assignment history: the account's territory in a model over [valid_from, valid_to).

    The open row (valid_to NULL) is the current assignment; `territory` is NULL for excluded and
    unassigned accounts so nothing is dropped silently. Written only by the assignment engine.
    """

    model = models.ForeignKey(
        TerritoryModel, on_delete=models.CASCADE, related_name="account_assignments"
    )
    account = models.ForeignKey(
        "salesops.Account", on_delete=models.CASCADE, related_name="territory_history"
    )
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.CASCADE, related_name="account_rows"
    )
    rule = models.ForeignKey(
        AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=AssignmentSource.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["model", "account", "valid_from"]
        verbose_name = "account assignment"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "account"],
                condition=models.Q(valid_to__isnull=True),
                name="account_territory_one_open_row",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="account_territory_interval_not_empty",
            ),
            models.CheckConstraint(
                condition=(models.Q(source__in=["rule", "pin"]) & models.Q(territory__isnull=False))
                | (
                    models.Q(source__in=["excluded", "unassigned"])
                    & models.Q(territory__isnull=True)
                ),
                name="account_territory_source_matches_territory",
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "valid_to"]),
            models.Index(fields=["account", "valid_from"]),
            models.Index(fields=["model", "source", "valid_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.territory_id} from {self.valid_from}"


class EfficiencyInputsVersion(models.Model):
    """One row whose `version` database triggers bump on every statement that writes a table the
    territory efficiency scope reads (territories.efficiency.FINGERPRINT_TABLES): the engine's
    nightly "did the territory inputs change?" is then one row read, not a hash of the tables.

    Transactional (a row, not a sequence): a change the engine cannot see yet has not bumped the
    version it reads either, so the next night still sees the bump. Writers of those tables queue
    on the row until they commit; territory edits are rare, whole-model operations. A deleted row
    (a flush) is recreated by the next bump with a clock-based value no earlier bump had.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "territory inputs version"

    def __str__(self) -> str:
        return f"territory inputs v{self.version}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"
    ROLLED_BACK = "rolled_back", "Rolled back"


class AssignmentBatch(models.Model):
    """One approved assignment run of a model, applied by a worker and undoable.

    `undo` holds what the run changed in the assignment history (rows it inserted, closed,
    deleted or relabelled), so a rollback restores the history exactly. Only the latest applied
    batch of a model can be rolled back, and only while nothing else changed those rows.
    """

    model = models.ForeignKey(TerritoryModel, on_delete=models.CASCADE, related_name="batches")
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_on = models.DateField(null=True, blank=True)
    job_run = models.ForeignKey(
        "salesops.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed = models.PositiveIntegerField(default=0)
    unassigned = models.PositiveIntegerField(default=0)
    undo = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "assignment batches"
        constraints = [
            models.UniqueConstraint(
                fields=["model"],
                condition=models.Q(status__in=["queued", "running"]),
                name="assignment_batch_one_pending_per_model",
            ),
        ]

    def __str__(self) -> str:
        return f"assignment batch {self.pk} of {self.model_id} ({self.status})"


class TerritoryBalanceSnapshot(models.Model):
    """A territory's balance figures (its whole subtree, the model's current assignment) as of a
    business date, written nightly (territory_balance_snapshot_write) so the dashboards read them
    instead of aggregating every deal per request. People and quotas are not kept: they are read
    live (small). Natural key: (territory, as_of)."""

    model = models.ForeignKey(TerritoryModel, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    accounts = models.IntegerField(default=0)
    potential = models.DecimalField(max_digits=22, decimal_places=2, default=0)
    pipeline = models.DecimalField(max_digits=22, decimal_places=2, default=0)
    won_ytd = models.DecimalField(max_digits=24, decimal_places=6, default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model", "as_of", "territory"], name="territory_balance_snapshot_key"
            )
        ]

    def __str__(self) -> str:
        return f"territory {self.territory_id} balance as of {self.as_of}"
