"""Which plan measures a deal: the plan (assignment and approved version) in force on the deal's
close date. A statement is computed by the plan in force at its month's end; a deal of the same
month closed while another plan or version was in force (a plan change mid-month) is measured by
that one instead, and its line says so. Two queries for everyone being generated."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q

from compensation import engine
from compensation.models import PlanAssignment, PlanVersion, PlanVersionStatus
from salesops import calendar


class PlansInForce:
    def __init__(
        self,
        *,
        person_ids: list[int],
        period: calendar.FiscalPeriod | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        """For the month `period`, or any span [start, end] (the ledger's locked months)."""
        first = period.start if period else start or date.min
        last = period.end if period else end or date.max
        self.assignments: dict[int, list[PlanAssignment]] = defaultdict(list)
        for a in (
            PlanAssignment.objects.filter(person_id__in=person_ids, start__lte=last)
            .filter(Q(end__isnull=True) | Q(end__gte=first))
            .order_by("person_id", "start")
        ):
            self.assignments[a.person_id].append(a)
        plan_ids = {a.plan_id for rows in self.assignments.values() for a in rows}
        self.versions: dict[int, list[PlanVersion]] = defaultdict(list)
        for v in (
            PlanVersion.objects.filter(
                plan_id__in=sorted(plan_ids),
                status=PlanVersionStatus.APPROVED,
                effective_from__lte=last,
            )
            .select_related("plan")
            .order_by("plan_id", "effective_from", "number")
        ):
            self.versions[v.plan_id].append(v)
        self._parsed: dict[int, engine.Plan | None] = {}

    def _version_on(self, pid: int, day: date) -> PlanVersion | None:
        assignment = next(
            (
                a
                for a in reversed(self.assignments.get(pid, []))
                if a.start <= day and (a.end is None or a.end >= day)
            ),
            None,
        )
        if assignment is None:
            return None
        return next(
            (
                v
                for v in reversed(self.versions.get(assignment.plan_id, []))
                if v.effective_from <= day
            ),
            None,
        )

    def _plan(self, version: PlanVersion) -> engine.Plan | None:
        if version.pk not in self._parsed:
            try:
                self._parsed[version.pk] = engine.parse_plan(version.definition)
            except ValidationError:
                self._parsed[version.pk] = None
        return self._parsed[version.pk]

    def mark(
        self, *, pid: int, current_id: int | None, deals: list[engine.DealCredit]
    ) -> tuple[list[engine.DealCredit], dict[str, engine.Plan]]:
        """The deals with `plan_key` set where another plan or version was in force on their
        close date, and those plans by key (for engine.calculate's `deal_plans`)."""
        deal_plans: dict[str, engine.Plan] = {}
        out = []
        for deal in deals:
            version = self._version_on(pid, deal.close_date)
            plan = None if version is None or version.pk == current_id else self._plan(version)
            if version is None or plan is None:
                out.append(deal)
                continue
            key = f"plan '{version.plan.name}' v{version.number}"
            deal_plans[key] = plan
            out.append(replace(deal, plan_key=key))
        return out, deal_plans
