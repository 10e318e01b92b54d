"""Which periods a publish recomputes: closed months with a changed (pending) day or without a
snapshot yet, quarters one of whose months was recomputed, the rolling periods that can follow
from the previous night's rows, and whether the team tree changed since the last publish (then
everything is recomputed). Reads and records EfficiencyCursor rows in the caller's transaction."""

from __future__ import annotations

from datetime import date, timedelta

from salesops.models import Period
from salesops.services.efficiency.db import execute, fetch
from salesops.services.efficiency.periods import Derived, Rolled, Span, rolled_spans

# The stamp (computed_at) of the rows the last publish wrote: which previous-night rows a rolled
# period may start from.
STAMP_CURSOR = "publish-stamp"
# Named after what the cursor vouches for: the last publish rolled teams up along this tree
# (every team's parent; md5 of it).
TEAM_TREE_CURSOR = "team-tree:"


def months_to_recompute(as_of: date, months: list[Span], *, full: bool) -> list[Span]:
    """Closed months with a pending day, or without a snapshot yet (all of them when full)."""
    if not months:
        return months
    first, last = months[0].start, months[-1].end
    pending = fetch(
        "DELETE FROM salesops_efficiencypendingday WHERE day BETWEEN %s AND %s RETURNING day",
        [first, last],
    )
    pending_days = {row[0] for row in pending}
    if full:
        return months
    existing = {
        row[0]
        for row in fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start BETWEEN %s AND %s",
            [str(Period.MONTH), first, last],
        )
    }
    return [
        m
        for m in months
        if m.start not in existing or any(m.start <= day <= m.end for day in pending_days)
    ]


def derived_to_recompute(
    derived: list[Derived], recomputed: set[Span], *, full: bool
) -> list[Derived]:
    if full:
        return derived
    quarters = [d for d in derived if d.span.period == Period.QUARTER]
    existing = {
        row[0]
        for row in fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start = ANY(%s)",
            [str(Period.QUARTER), [d.span.start for d in quarters]],
        )
    }
    return [
        d
        for d in derived
        if d.span.period != Period.QUARTER
        or d.span.start not in existing
        or any(part in recomputed for part in d.parts)
    ]


def rolled_to_apply(as_of: date, changed: list[date]) -> list[Rolled]:
    """The rolling periods of S(as_of) to compute from S(as_of - 1 day) (periods.rolled_spans):
    those that need no previous row, and those whose previous row the last publish wrote (the
    company row carries its stamp) while none of its days changed since (`changed`)."""
    candidates = rolled_spans(as_of)
    yesterday = as_of - timedelta(days=1)
    trusted = {
        Span(period, start, end)
        for period, start, end in fetch(
            "SELECT s.period, s.period_start, s.period_end FROM salesops_efficiencysnapshot s "
            "JOIN salesops_efficiencycursor c ON c.name = %s AND c.watermark = s.computed_at "
            "WHERE s.scope_type = 'company' AND s.scope_id = 0 AND s.scope_key = '' "
            "AND s.period_end = %s",
            [STAMP_CURSOR, yesterday],
        )
    }
    return [
        r
        for r in candidates
        if r.prev is None
        or (r.prev in trusted and not any(r.prev.start <= day <= r.prev.end for day in changed))
    ]


def team_tree_changed_since_last_publish() -> bool:
    """Whether the team tree (every team and its parent: what the roll-ups read) differs from
    the one the last publish used, or nothing was published yet. Records the current tree for
    the next publish, in the caller's transaction.

    Compared by content, not by `Team.updated_at`: a change time has to be read with the
    overlap that allows for late commits, so every run in the minutes after a team edit (or a
    demo seed) recomputed everything; and a deleted team leaves no change time behind."""
    name, seen = fetch(
        "WITH tree AS (SELECT %s || md5(COALESCE(string_agg(id || ':' || "
        "COALESCE(parent_id::text, ''), ',' ORDER BY id), '')) AS name FROM salesops_team) "
        "SELECT name, EXISTS (SELECT 1 FROM salesops_efficiencycursor c WHERE c.name = tree.name) "
        "FROM tree",
        [TEAM_TREE_CURSOR],
    )[0]
    if not seen:
        execute(
            "DELETE FROM salesops_efficiencycursor WHERE starts_with(name, %s)", [TEAM_TREE_CURSOR]
        )
        execute(
            "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())", [name]
        )
    return not seen
