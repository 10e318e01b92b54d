"""The statements table's search, sort, page sizes and CSV (salesops.listing)."""

from __future__ import annotations

from salesops.listing import Listing

STATEMENTS = Listing(
    sorts={
        "person": "person__name",
        "period": "period_start",
        "status": "status",
        "attainment": "attainment",
        "payable": "payable",
    },
    default_sort="-period",
    search_fields=("person__name", "period_key"),
    search_label="Person or period",
    page_sizes=(50, 25, 100, 200),
    columns=(
        ("statement", lambda s: s.pk),
        ("person", lambda s: s.person.name),
        ("period", lambda s: s.period_key),
        ("plan", lambda s: str(s.plan_version) if s.plan_version else ""),
        ("status", lambda s: s.get_status_display()),
        ("attainment_percent", lambda s: s.attainment),
        ("payable", lambda s: s.payable),
    ),
)
