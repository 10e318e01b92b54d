"""The nightly sales-efficiency engine: snapshots, its per-day aggregates, and team history.

See docs/efficiency.md for the definitions and the incremental scheme.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value


class ScopeType(models.TextChoices):
    COMPANY = "company", "Company"
    TEAM = "team", "Team"
    PERSON = "person", "Person"
    ROLE = "role", "Role"
    TERRITORY = "territory", "Territory"


class Period(models.TextChoices):
    DAY = "day", "Day"
    MTD = "mtd", "Month to date"
    QTD = "qtd", "Quarter to date"
    YTD = "ytd", "Year to date"
    T90 = "t90", "Trailing 90 days"
    MONTH = "month", "Closed month"
    QUARTER = "quarter", "Closed quarter"


class EfficiencySnapshot(models.Model):
    """Revenue, cost and ratio of one scope over one period, as computed by the nightly run.

    The primary key is the natural key, led by period_end: (period_end, period, period_start,
    scope_type, scope_id, scope_key). Person, team and territory scopes use scope_id; a role scope
    uses scope_key (the role value) with scope_id 0; the company is scope_id 0, scope_key ''.
    `ratio` is NULL when cost is 0. Revenue keeps 6 decimals: close value (2) x percent (2) / 100
    is exact there.

    Every index is paid for by each row a night writes: a surrogate id and a (scope, period,
    period_end) index over every row took a third of an incremental night on the large demo. The
    key serves a night's rows (its leading columns; a night's new rows land together at its right
    edge) and one scope's series of any period (skip scan, PostgreSQL 18: a few descents per
    period end). The one other index holds the trailing-90-day rows only, for the dashboards'
    trend of several scopes over a year (dashboard.panels.TREND_PERIOD): a fifth of a night's
    rows.
    """

    pk = models.CompositePrimaryKey(
        "period_end", "period", "period_start", "scope_type", "scope_id", "scope_key"
    )

    scope_type = models.CharField(max_length=20, choices=ScopeType.choices)
    scope_id = models.BigIntegerField(default=0)
    scope_key = models.CharField(max_length=40, blank=True, default="")
    period = models.CharField(max_length=10, choices=Period.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    revenue = models.DecimalField(max_digits=22, decimal_places=6)
    cost = models.DecimalField(max_digits=18, decimal_places=2)
    ratio = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    won_deals = models.IntegerField(default=0)
    # Engine bookkeeping: how many per-day aggregate rows were summed into this row. A rolling
    # period computed by difference from the previous night's row keeps a scope while it is > 0,
    # exactly as a recomputation keeps the scopes that have a day in the period.
    source_rows = models.IntegerField(
        default=0,
        db_default=0,
        help_text="Engine bookkeeping: the per-day aggregate rows summed into this row.",
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_end", "scope_type", "scope_id", "scope_key", "period"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="efficiency_period_ordered"
            ),
            models.CheckConstraint(
                condition=(Q(cost=0) & Q(ratio__isnull=True))
                | (~Q(cost=0) & Q(ratio__isnull=False)),
                name="efficiency_ratio_null_iff_cost_zero",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scope_type", "scope_id", "period_end"],
                condition=Q(period="t90"),
                name="efficiency_t90_series",
            )
        ]

    def __str__(self) -> str:
        key = self.scope_key or self.scope_id
        return f"{self.scope_type}:{key} {self.period} {self.period_start}..{self.period_end}"


class EfficiencyPersonDay(models.Model):
    """Per person and day: credited revenue, ledger cost, deals won as owner, and the team the
    person was in that day. Internal to the engine (rebuildable from the sources)."""

    pk = models.CompositePrimaryKey("day", "person_id")
    # The primary key, led by the day, is the only index: a night reads whole days (key ranges)
    # and touched (day, person) pairs (probes); a person's days are probes over the calendar;
    # nothing reads by team_id (team roll-ups aggregate whole periods). Every index is paid for by
    # each row a full rebuild writes: with FK indexes on person and team, that insert took twice
    # as long (the rebuild drops and rebuilds the key itself, see services.efficiency.person_days).
    person = models.ForeignKey(
        "salesops.Person", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    day = models.DateField()
    team = models.ForeignKey(
        "salesops.Team",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    revenue = models.DecimalField(max_digits=22, decimal_places=6)
    cost = models.DecimalField(max_digits=18, decimal_places=2)
    won_deals = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"


class EfficiencyTeamDay(models.Model):
    """Per team and day: ledger cost booked to the team itself (not to a person)."""

    pk = models.CompositePrimaryKey("team_id", "day")
    # The primary key serves team_id.
    team = models.ForeignKey(
        "salesops.Team", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    day = models.DateField()
    cost = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day}"


class EfficiencyScopeDay(models.Model):
    """Per plug-in scope (salesops.efficiency_scopes, e.g. territory), scope id and day: the
    provider's revenue, cost and won deals. A cache of the provider's rows, so an incremental run
    asks the provider only for the days that changed. Amounts keep the provider's exact decimals
    (a territory's cost share of a ledger entry is amount / n); snapshots round once, at the end.
    """

    pk = models.CompositePrimaryKey("scope_type", "scope_id", "day")
    scope_type = models.CharField(max_length=20)
    scope_id = models.BigIntegerField()
    day = models.DateField()
    revenue = models.DecimalField(max_digits=40, decimal_places=20)
    cost = models.DecimalField(max_digits=40, decimal_places=20)
    won_deals = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.scope_type}:{self.scope_id} {self.day}"


class EfficiencyScopePendingDay(models.Model):
    """Days whose deals, splits or costs changed since the plug-in scopes' day rows were last
    refreshed (written beside EfficiencyPendingDay, consumed whole by each publish)."""

    day = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return str(self.day)


class EfficiencyDirty(models.Model):
    """(person or team, day) pairs whose OLD values changed: written by database triggers on
    UPDATE/DELETE of deals, splits and costs (see migration 0002), consumed by the next run.
    New values are found through updated_at; only old values (a removed split, a moved close
    date, a deleted cost) need this."""

    person_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["person_id"]), models.Index(fields=["team_id"])]

    def __str__(self) -> str:
        return f"{self.person_id or self.team_id} {self.day}"


class EfficiencyPendingDay(models.Model):
    """Days whose per-day aggregates changed since the snapshots were last published."""

    day = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return str(self.day)


class EfficiencyCursor(models.Model):
    """Watermarks of the incremental refresh, one per partition (and one for publishing); the
    `horizon` cursor's `day` is the first day the per-day tables hold (docs/efficiency.md)."""

    name = models.CharField(max_length=100, primary_key=True)
    watermark = models.DateTimeField()
    day = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"


class TeamMembership(models.Model):
    """Which team a person was in, over [valid_from, valid_to) (NULL = unbounded).

    Written only by `person_move_team`. A person without membership rows belongs to their
    current Person.team on every date; with rows, the row covering a date decides (no row = no
    team that day). The exclusion constraint keeps one team per person per day.
    """

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="memberships"
    )
    team = models.ForeignKey("salesops.Team", on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["person", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="membership_range_ordered",
            ),
            ExclusionConstraint(
                name="membership_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (
                        Func(
                            F("valid_from"),
                            F("valid_to"),
                            Value("[)"),
                            function="daterange",
                            output_field=models.Field(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.team_id} {self.valid_from}..{self.valid_to}"
