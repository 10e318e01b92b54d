"""Agenda items, action items and notifications."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Notification,
)
from salesops.exceptions import ApplicationError
from salesops.models import Person


def _check_agenda_fits(*, meeting: Meeting, minutes: int, exclude_id: int | None = None) -> None:
    items = meeting.agenda_items.all()
    if exclude_id is not None:
        items = items.exclude(pk=exclude_id)
    others = items.aggregate(total=Sum("minutes"))["total"]
    total = (others or 0) + minutes
    if total > meeting.duration_minutes:
        raise ValidationError(
            {
                "minutes": f"The agenda would need {total} minutes but the meeting lasts "
                f"{meeting.duration_minutes}."
            }
        )


def _touch(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        sequence=F("sequence") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def agenda_item_create(
    *, meeting: Meeting, title: str, minutes: int, owner: Person | None = None, notes: str = ""
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if minutes <= 0:
        raise ValidationError({"minutes": "Give the item at least one minute."})
    _check_agenda_fits(meeting=meeting, minutes=minutes)
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title, minutes=minutes, owner=owner, notes=notes
    )
    _touch(meeting)
    return item


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    title: str | None = None,
    minutes: int | None = None,
    owner: Person | None = None,
    notes: str | None = None,
    order: int | None = None,
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if minutes is not None:
        if minutes <= 0:
            raise ValidationError({"minutes": "Give the item at least one minute."})
        _check_agenda_fits(meeting=meeting, minutes=minutes, exclude_id=item.pk)
        item.minutes = minutes
    if title is not None:
        item.title = title
    if notes is not None:
        item.notes = notes
    if order is not None:
        item.order = order
    if owner is not None:
        item.owner = owner
    item.save()
    _touch(meeting)
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    meeting = item.meeting
    item.delete()
    _touch(meeting)


def action_item_create(
    *, meeting: Meeting, owner: Person, description: str, due_date: date
) -> ActionItem:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("A cancelled meeting takes no action items.")
    if not description.strip():
        raise ValidationError({"description": "Say what needs doing."})
    return ActionItem.objects.create(
        meeting=meeting, owner=owner, description=description.strip(), due_date=due_date
    )


def action_item_set_status(*, item: ActionItem, status: str) -> ActionItem:
    """Tick off (done), reopen (open) or cancel an action item; `completed_at` follows."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"Unknown status '{status}'."})
    item.status = status
    item.completed_at = timezone.now() if status == ActionStatus.DONE else None
    item.save(update_fields=["status", "completed_at"])
    return item


def action_item_update(
    *,
    item: ActionItem,
    description: str | None = None,
    due_date: date | None = None,
    owner: Person | None = None,
) -> ActionItem:
    if description is not None:
        item.description = description
    if due_date is not None:
        item.due_date = due_date
    if owner is not None:
        item.owner = owner
    item.save()
    return item


def notifications_mark_read(*, person: Person, ids: list[int] | None = None) -> int:
    """Mark some (or, with ids=None, all) of a person's notifications read."""
    qs = Notification.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
