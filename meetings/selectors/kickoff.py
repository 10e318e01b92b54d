"""The kickoff rules (docs/domain.md, 'Kickoff and clubs'): recognise last year's clubs, keep compensation out of it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings

from compensation.selectors import club_members
from meetings.models import Meeting, MeetingStatus, MeetingType
from meetings.services.schedule_rows import AgendaInput
from salesops import calendar

COMPENSATION_WORDS = re.compile(
    r"\b(compensation|comp plan|commissions?|salar(y|ies)|bonus(es)?|pay|accelerators?|"
    r"quota changes?|rate tables?)\b",
    re.IGNORECASE,
)
REVIEW_WITHIN = timedelta(days=14)


def kickoff_agenda_proposal(*, start: datetime, minutes: int) -> list[AgendaInput]:
    """Recognition in two tiers (from the compensation app), sales training, marketing and lead
    generation; time boxes are shares of the meeting so the agenda always fits. "Last year" is
    the fiscal year before the one the kickoff's company date lies in."""
    last_year = calendar.year_containing(calendar.company_date(start)).previous()
    members = club_members(year=last_year)
    chairmans = ", ".join(m.name for m in members if m.tier == "chairmans")
    presidents = ", ".join(m.name for m in members if m.tier == "presidents")
    chair_pct = getattr(settings, "CLUB_CHAIRMANS_PCT", 125)
    pres_pct = getattr(settings, "CLUB_PRESIDENTS_PCT", 100)
    share = (15, 15, 40, 30)
    box = [max(1, minutes * s // 100) for s in share]
    # Name the year: with a fiscal year that does not start in January, "last year" is not a
    # calendar year (a July start: FY2026 is July 2025 – June 2026).
    year = last_year.name
    first, last = last_year.start, last_year.end
    span = f"{first:%b} {first.day}, {first.year} – {last:%b} {last.day}, {last.year}"
    nobody = f"Nobody recorded for {year} ({span})."
    return [
        AgendaInput(
            title=f"Recognition: Chairman's Club {year} (≥ {chair_pct} % of plan)",
            minutes=box[0],
            notes=chairmans or nobody,
        ),
        AgendaInput(
            title=f"Recognition: President's Club {year} (≥ {pres_pct} % of plan)",
            minutes=box[1],
            notes=presidents or nobody,
        ),
        AgendaInput(title="Sales training", minutes=box[2]),
        AgendaInput(title="Marketing and lead-generation plan", minutes=box[3]),
    ]


def kickoff_warnings(*, meeting: Meeting) -> list[str]:
    """Compensation topics on a kickoff's agenda; no compensation review within 14 days after."""
    if meeting.type != MeetingType.KICKOFF or meeting.status == MeetingStatus.CANCELLED:
        return []
    warnings: list[str] = []
    for item in meeting.agenda_items.all():
        if COMPENSATION_WORDS.search(f"{item.title} {item.notes}"):
            warnings.append(
                f"“{item.title}” looks like a compensation topic: do not announce compensation "
                "changes at the kickoff; hold a separate compensation review."
            )
    review = Meeting.objects.filter(
        type=MeetingType.COMPENSATION_REVIEW,
        start__gte=meeting.end,
        start__lte=meeting.start + REVIEW_WITHIN,
    ).exclude(status=MeetingStatus.CANCELLED)
    if not review.exists():
        warnings.append(
            "No compensation review is scheduled within 14 days after this kickoff: schedule "
            "one (a conference call is fine)."
        )
    return warnings
