"""Input and output serializers of the meetings API (separate, per ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendee,
    Meeting,
    MeetingType,
    Notification,
    Rsvp,
)
from meetings.selectors.meetings import meeting_cost_visible
from meetings.services.costs import meeting_cost, meeting_person_hours
from meetings.services.schedule_rows import AgendaInput, AttendeeInput
from salesops.api.fields import BlankableEmailField, BoundedDateTimeField
from salesops.models import Account, Person
from salesops.selectors.core import deal_list


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AttendeeOutputSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(allow_null=True)
    display_name = serializers.CharField()
    external = serializers.BooleanField(source="is_external")
    email = BlankableEmailField(read_only=True)

    class Meta:
        model = Attendee
        fields = [
            "id",
            "person",
            "display_name",
            "email",
            "external",
            "required",
            "rsvp",
            "responded_at",
        ]


class AgendaItemOutputSerializer(serializers.ModelSerializer):
    owner = PersonRefSerializer(allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "order", "title", "owner", "minutes", "notes"]


class ActionItemOutputSerializer(serializers.ModelSerializer):
    owner = PersonRefSerializer()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "owner",
            "description",
            "due_date",
            "status",
            "completed_at",
        ]


class MeetingOutputSerializer(serializers.ModelSerializer):
    organizer = PersonRefSerializer()
    attendees = AttendeeOutputSerializer(many=True)
    agenda_items = AgendaItemOutputSerializer(many=True)
    action_items = ActionItemOutputSerializer(many=True)
    cost = serializers.SerializerMethodField()
    person_hours = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "title",
            "type",
            "status",
            "organizer",
            "start",
            "end",
            "time_zone",
            "duration_minutes",
            "location",
            "video_link",
            "description",
            "account",
            "deal",
            "rrule",
            "series",
            "original_start",
            "sequence",
            "cost",
            "person_hours",
            "attendees",
            "agenda_items",
            "action_items",
            "ics_url",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_cost(self, meeting: Meeting) -> str | None:
        """Null unless the caller may see every internal attendee's hourly rate (their
        managers up the tree, sales ops): a cost would reveal the others' rates."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        attendees = meeting.attendees.all()
        if user is None or not meeting_cost_visible(user=user, attendees=attendees):
            return None
        return str(meeting_cost(meeting=meeting, attendees=attendees))

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_person_hours(self, meeting: Meeting) -> str:
        return str(meeting_person_hours(meeting=meeting, attendees=meeting.attendees.all()))

    def get_ics_url(self, meeting: Meeting) -> str:
        return f"/meetings/{meeting.pk}.ics"


class AttendeeInputSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(active=True), required=False, allow_null=True
    )
    name = serializers.CharField(required=False, allow_blank=True, default="")
    email = BlankableEmailField(required=False, allow_blank=True, default="")
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("person") is None and not attrs.get("email"):
            raise serializers.ValidationError("Give a person, or an external contact's email.")
        return attrs


class AgendaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.INT)
class ScopedDealField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A deal the caller can see (salesops.selectors.core.deal_list). Any other id, outside the
    caller's scope or absent (the two look the same), is a 404 like the deal itself, not a 400."""

    def get_queryset(self) -> Any:
        return deal_list(user=self.context["request"].user)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            codes = exc.get_codes()
            if isinstance(codes, list) and "does_not_exist" in codes:
                raise NotFound({"deal": ["No such deal."]}) from exc
            raise


class MeetingInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=MeetingType.choices)
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()
    time_zone = serializers.CharField(required=False)
    location = serializers.CharField(required=False, allow_blank=True)
    video_link = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    deal = ScopedDealField(required=False, allow_null=True)
    rrule = serializers.CharField(required=False, allow_blank=True, max_length=300)
    organizer = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(active=True),
        required=False,
        help_text="Sales ops only; everyone else organises their own meetings.",
    )
    attendees = AttendeeInputSerializer(many=True, required=False)
    agenda = AgendaInputSerializer(many=True, required=False)
    allow_conflicts = serializers.BooleanField(default=False)


def attendee_inputs(rows: list[dict[str, Any]]) -> list[AttendeeInput]:
    return [
        AttendeeInput(
            person=r.get("person"),
            name=r.get("name", ""),
            email=r.get("email", ""),
            required=r.get("required", True),
        )
        for r in rows
    ]


def agenda_inputs(rows: list[dict[str, Any]]) -> list[AgendaInput]:
    return [
        AgendaInput(
            title=r["title"], minutes=r["minutes"], owner=r.get("owner"), notes=r.get("notes", "")
        )
        for r in rows
    ]


class RsvpInputSerializer(serializers.Serializer):
    rsvp = serializers.ChoiceField(choices=[c for c in Rsvp.choices if c[0] != Rsvp.PENDING])
    attendee = serializers.IntegerField(
        required=False, help_text="Sales ops only: answer for this attendee id."
    )


class CancelInputSerializer(serializers.Serializer):
    whole_series = serializers.BooleanField(default=False)


class FindTimeInputSerializer(serializers.Serializer):
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(active=True), many=True
    )
    duration_minutes = serializers.IntegerField(min_value=5, max_value=8 * 60)
    window_start = BoundedDateTimeField()
    window_end = BoundedDateTimeField()
    buffer_before_minutes = serializers.IntegerField(min_value=0, max_value=240, default=0)
    buffer_after_minutes = serializers.IntegerField(min_value=0, max_value=240, default=0)
    step_minutes = serializers.IntegerField(min_value=5, max_value=240, default=30)
    count = serializers.IntegerField(min_value=1, max_value=50, default=5)
    exclude_meeting = serializers.IntegerField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["window_end"] <= attrs["window_start"]:
            raise serializers.ValidationError(
                {"window_end": "The window must end after it starts."}
            )
        if (attrs["window_end"] - attrs["window_start"]).days > 92:
            raise serializers.ValidationError({"window_end": "Search at most 92 days at a time."})
        if not attrs["attendees"]:
            raise serializers.ValidationError({"attendees": "Pick at least one attendee."})
        return attrs


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AgendaItemInputSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False)
    title = serializers.CharField(max_length=200, required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class ActionItemInputSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(active=True), required=False
    )
    description = serializers.CharField(max_length=500, required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


class NotificationOutputSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "unread"]

    def get_unread(self, obj: Notification) -> bool:
        return obj.read_at is None


class LoadRowSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    meetings = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    limit_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    overloaded = serializers.BooleanField()
