"""Forms of the meeting pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone

from meetings.models import MeetingType, Rsvp
from meetings.services.schedule_rows import AgendaInput, AttendeeInput
from salesops.edge import validate_datetime_in_range
from salesops.models import Person
from salesops.widgets import Chooser, MultiChooser
from salesops.zones import TimeZoneField

EXTERNAL_LINE = re.compile(
    r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$|^\s*(?P<bare>\S+@\S+)\s*$"
)
WALL_CLOCK = "%Y-%m-%dT%H:%M"


class WallClockField(forms.DateTimeField):
    """A date and time as <input type="datetime-local"> holds it, kept naive: MeetingForm reads
    it in the meeting's zone. (Django's DateTimeField would read it in the viewer's zone and
    refuse times that zone skips or repeats, whatever the meeting's zone.)"""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK)
    input_formats = [WALL_CLOCK]
    default_validators = [validate_datetime_in_range]

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        if value in self.empty_values:
            return None
        return super(forms.DateTimeField, self).to_python(value)  # parse, no zone

    def prepare_value(self, value: Any) -> Any:
        return value


def local_instant(
    wall: datetime, zone: zoneinfo.ZoneInfo, hint: datetime | None = None
) -> datetime:
    """The instant (in UTC) the naive wall-clock time `wall` names in `zone`.

    In the hour that happens twice when clocks go back, `hint` (the instant find-a-time offered,
    or the meeting's stored start) says which one is meant; without a matching hint, the first.
    A time the clocks skip does not exist and is refused rather than guessed.

    UTC, because Python compares and subtracts two datetimes of the same zone by wall clock,
    ignoring `fold`: 01:00 EST would not come after 01:30 EDT."""
    if hint is not None:
        local = hint.astimezone(zone)
        if local.replace(tzinfo=None, fold=0) == wall:
            return hint.astimezone(UTC)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) != wall:
        raise forms.ValidationError(
            f"{wall:%H:%M} on {wall:%a %d %b %Y} does not exist in {zone.key}: the clocks "
            "go forward then. Pick another time.",
            code="nonexistent",
        )
    return first


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_role_display()})"


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=MeetingType.choices)
    time_zone = TimeZoneField(help_text="The meeting's zone: start and end are read in it.")
    start = WallClockField()
    end = WallClockField()
    # Set by a find-a-time slot (static/meetings/meetings.js) or the stored meeting: the exact
    # instants, which tell the repeated hour apart when clocks go back.
    start_instant = forms.CharField(required=False, widget=forms.HiddenInput)
    end_instant = forms.CharField(required=False, widget=forms.HiddenInput)
    location = forms.CharField(max_length=200, required=False)
    video_link = forms.URLField(required=False, assume_scheme="https")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rrule = forms.CharField(
        label="Repeat (RRULE)",
        required=False,
        max_length=300,
        help_text="Optional, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10",
    )
    # Searchable (salesops.widgets): the page lists only who is picked, never the whole org.
    attendees = PersonChoice(
        queryset=Person.objects.none(),
        required=False,
        widget=MultiChooser(source="choose-colleagues", placeholder="Type a name…"),
        help_text="Required attendees: type part of a name and pick.",
    )
    optional_attendees = PersonChoice(
        queryset=Person.objects.none(),
        required=False,
        widget=MultiChooser(source="choose-colleagues", placeholder="Type a name…"),
    )
    external = forms.CharField(
        label="External contacts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: Name <email@example.com>",
    )
    allow_conflicts = forms.BooleanField(
        label="Schedule anyway, despite the conflicts above", required=False
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "optional_attendees"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]

    def clean_external(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for line in str(self.cleaned_data.get("external") or "").splitlines():
            if not line.strip():
                continue
            match = EXTERNAL_LINE.match(line)
            if match is None:
                raise forms.ValidationError(f"Write “Name <email>” — not “{line.strip()}”.")
            email = match.group("email") or match.group("bare")
            validate_email(email)
            out.append((match.group("name") or "", email))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tz = data.get("time_zone")
        for name in ("start", "end"):
            value = data.get(name)
            if isinstance(value, datetime) and tz:
                # The browser sends wall-clock time; it means the meeting's own time zone.
                hint = _instant(data.get(f"{name}_instant") or "")
                try:
                    data[name] = local_instant(value, zoneinfo.ZoneInfo(tz), hint)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def attendee_inputs(self) -> list[AttendeeInput]:
        d = self.cleaned_data
        rows = [AttendeeInput(person=p) for p in d.get("attendees") or []]
        rows += [AttendeeInput(person=p, required=False) for p in d.get("optional_attendees") or []]
        rows += [AttendeeInput(name=n, email=e) for n, e in d.get("external") or []]
        return rows


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    minutes = forms.IntegerField(min_value=1, max_value=600, required=False)
    owner = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=Chooser(source="choose-colleagues", placeholder="Owner…"),
    )
    notes = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: Any, people: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["owner"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("minutes"):
            self.add_error("minutes", "How many minutes?")
        return data


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=3, max_num=30)


def agenda_inputs(formset: Any) -> list[AgendaInput]:
    return [
        AgendaInput(
            title=f.cleaned_data["title"],
            minutes=f.cleaned_data["minutes"],
            owner=f.cleaned_data.get("owner"),
            notes=f.cleaned_data.get("notes") or "",
        )
        for f in formset.forms
        if f.cleaned_data.get("title")
    ]


class FindTimeForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=Person.objects.filter(active=True),
        widget=MultiChooser(source="choose-colleagues"),
    )
    optional_attendees = forms.ModelMultipleChoiceField(
        queryset=Person.objects.filter(active=True),
        required=False,
        widget=MultiChooser(source="choose-colleagues"),
    )
    duration = forms.IntegerField(min_value=5, max_value=480, initial=30)
    window_days = forms.IntegerField(min_value=1, max_value=28, initial=7)
    buffer = forms.IntegerField(min_value=0, max_value=120, initial=0, required=False)
    time_zone = TimeZoneField(required=False)
    # When editing: the meeting's organizer attends, and its own slot is not busy.
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A recurring meeting: every occurrence must be free (the booking form checks them all).
    rrule = forms.CharField(required=False, max_length=300)


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(choices=[c for c in Rsvp.choices if c[0] != Rsvp.PENDING])


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=500)
    owner = forms.ModelChoiceField(
        queryset=Person.objects.none(), widget=Chooser(source="choose-colleagues")
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
