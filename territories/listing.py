"""The territory models table's search, sort, page sizes and CSV (salesops.listing)."""

from __future__ import annotations

from salesops.listing import Listing

TERRITORY_MODELS = Listing(
    sorts={"name": "name", "state": "state", "live": "activated_on", "archived": "archived_on"},
    default_sort="state",
    search_fields=("name",),
    search_label="Model name",
    columns=(
        ("model", lambda m: m.pk),
        ("name", lambda m: m.name),
        ("state", lambda m: m.get_state_display()),
        ("live_since", lambda m: m.activated_on),
        ("archived", lambda m: m.archived_on),
    ),
)
