"""Which deals a meeting was held for (cost of pursuit, docs/domain.md)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from meetings.models import Meeting, MeetingDeal
from salesops.models import Deal


@transaction.atomic
def meeting_deals_set(*, meeting: Meeting, deals: Sequence[Deal]) -> list[int]:
    """Make `deals` the deals the meeting is for (links added and removed; idempotent). A deal of
    another account than the meeting's is refused. Returns the linked deal ids."""
    wanted = {d.pk: d for d in deals}
    if meeting.account_id is not None:
        foreign = [d.external_id for d in wanted.values() if d.account_id != meeting.account_id]
        if foreign:
            raise ValidationError(
                {"deals": f"Not deals of the meeting's account: {', '.join(sorted(foreign))}."}
            )
    MeetingDeal.objects.filter(meeting=meeting).exclude(deal_id__in=list(wanted)).delete()
    MeetingDeal.objects.bulk_create(
        [MeetingDeal(meeting=meeting, deal_id=pk) for pk in wanted], ignore_conflicts=True
    )
    return sorted(wanted)


def meeting_deals_default(*, meeting: Meeting) -> list[int]:
    """Link a newly booked meeting to its internal attendees' open deals with its account
    (nothing without an account); the organizer changes them on the meeting page."""
    from meetings.selectors.pursuit import meeting_deal_defaults

    people = meeting.attendees.filter(person__isnull=False).values_list("person_id", flat=True)
    deals = list(meeting_deal_defaults(account_id=meeting.account_id, person_ids=people))
    if not deals:
        return []
    return meeting_deals_set(meeting=meeting, deals=deals)
