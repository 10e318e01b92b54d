"""What the dashboards read instead of aggregating deals per request (docs/dashboard.md).

DealSnapshot: per business date ("as of"), dashboard period (mtd/qtd/ytd/t90 ending on that
date), scope (a team with its sub-teams, by the owners' teams that night, or the company), stage,
stage a lost deal was lost at, and the account's segment (closed deals): the deals open that night
or closed in the span (`now`), closed in the previous span (`prev`), the open pipeline and the won
close value. PersonDealSnapshot: per person, lost deals in the span, open deals and pipeline (the
people table's live columns). StuckDealSnapshot: each scope's ten longest-stuck open deals. Written by the nightly efficiency run's publish step
(dashboard.services.deal_snapshots_write, through salesops.hooks), so the funnel, win rates,
open pipeline and the cost-of-pursuit panel's deal counts read a few hundred rows, not a million
deals. Figures for one person (/me/) stay live: the owner index bounds them.
"""

from __future__ import annotations

from django.db import models


class DealSnapshot(models.Model):
    as_of = models.DateField()
    period = models.CharField(max_length=8)
    # "team": the deals of owners in team_id or one of its sub-teams; "company": every deal.
    scope = models.CharField(max_length=8, default="team")
    team_id = models.BigIntegerField(null=True)
    stage = models.CharField(max_length=32)
    lost_at_stage = models.CharField(max_length=32, blank=True, default="")
    segment = models.CharField(max_length=16, blank=True, default="")
    # Open that night, or won/lost with a close date in the span.
    now = models.IntegerField(default=0)
    # Won/lost with a close date in the previous span.
    prev = models.IntegerField(default=0)
    pipeline = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    won_value = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    # Open deals in their stage since before the night's DEAL_STUCK_DAYS cutoff.
    stuck = models.IntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["as_of", "period", "scope", "team_id"], name="dash_dealsnap_key")
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.period} {self.scope} {self.team_id} {self.stage}"


class PersonDealSnapshot(models.Model):
    as_of = models.DateField()
    period = models.CharField(max_length=8)
    person_id = models.BigIntegerField()
    # Lost with a close date in the span; open that night, and their expected amount.
    lost = models.IntegerField(default=0)
    open_deals = models.IntegerField(default=0)
    pipeline = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "period", "person_id"], name="dash_persondealsnap_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.period} person {self.person_id}"


class StuckDealSnapshot(models.Model):
    """The 10 open deals longest in their stage (past the night's DEAL_STUCK_DAYS cutoff) of each
    scope (a team with its sub-teams, or the company): the dashboard's stuck-deals list reads
    these ids instead of ordering every open deal of the scope."""

    as_of = models.DateField()
    scope = models.CharField(max_length=8, default="team")
    team_id = models.BigIntegerField(null=True)
    deal_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["as_of", "scope", "team_id"], name="dash_stucksnap_key")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope} {self.team_id} deal {self.deal_id}"
