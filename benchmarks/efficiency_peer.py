"""The peer of the efficiency benchmark: what a user runs instead of the nightly engine.

One GROUP BY per period and figure, as a per-period report (an ERP's, or a spreadsheet's query)
computes it: every person's revenue (credited splits), won deals (as owner) and cost for each
period of S(as_of), per person only. Measured in turns with a full run, never extrapolated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from psycopg2 import sql

from benchmarks.harness import BenchContext, Result, execute
from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE
from salesops.services.efficiency.periods import all_spans

PEER_SQL = tuple(
    sql.SQL(text).format(credit=sql.SQL(CREDIT_SQL), credit_where=sql.SQL(CREDIT_SQL_WHERE))
    for text in (
        "SELECT s.person_id, SUM({credit}) FROM salesops_deal d "
        "JOIN salesops_dealsplit s ON s.deal_id = d.id "
        "WHERE {credit_where} AND d.close_date BETWEEN %(ps)s AND %(pe)s GROUP BY 1",
        "SELECT d.owner_id, COUNT(*) FROM salesops_deal d "
        "WHERE {credit_where} AND d.close_date BETWEEN %(ps)s AND %(pe)s GROUP BY 1",
        "SELECT c.person_id, SUM(c.amount) FROM salesops_salescost c "
        "WHERE c.person_id IS NOT NULL AND c.date BETWEEN %(ps)s AND %(pe)s GROUP BY 1",
    )
)


def peer(as_of: date) -> None:
    """Every person's revenue, won deals and cost for every period of S(as_of): one GROUP BY per
    period and figure, as a per-period report computes it."""
    with transaction.atomic():
        execute("SET LOCAL jit = off")
        for span in all_spans(as_of):
            for query in PEER_SQL:
                execute(query, {"ps": span.start, "pe": span.end})


def peer_result(ctx: BenchContext, as_of: date, full_run: Callable[[], Any]) -> Result:
    """The peer in turns with `full_run` (median of 3; the setup of a full run vacuums)."""
    peer_time, full_time = ctx.median_in_turns(
        (lambda: peer(as_of), None),
        (full_run, lambda: execute("VACUUM ANALYZE salesops_efficiencysnapshot")),
        repeat=3,
    )
    return Result(
        name="efficiency: full nightly compute vs the peer (one GROUP BY per period)",
        value=full_time,
        floor=peer_time,
        kind="info",
        note=f"the peer: {len(all_spans(as_of))} periods × 3 GROUP BYs over deals/splits, "
        "won deals and the ledger, per person only (an ERP's per-period report); measured, "
        "median of 3 in turns with a full run, which also writes teams, roles, company, "
        "territories and the per-day state",
    )
