"""The meetings page's sort, page sizes and CSV (salesops.listing); its filters and title search
stay in meetings.filters.MeetingFilter."""

from __future__ import annotations

from salesops.listing import Listing

MEETINGS = Listing(
    sorts={"start": "start", "title": "title", "type": "type", "status": "status"},
    default_sort="start",
    page_sizes=(20, 50, 100, 200),
    columns=(
        ("meeting", lambda m: m.pk),
        ("title", lambda m: m.title),
        ("type", lambda m: m.get_type_display()),
        ("status", lambda m: m.get_status_display()),
        ("start_utc", lambda m: m.start.isoformat()),
        ("end_utc", lambda m: m.end.isoformat()),
        ("time_zone", lambda m: m.time_zone),
        ("organizer", lambda m: m.organizer.name if m.organizer else ""),
        ("location", lambda m: m.location),
    ),
)
