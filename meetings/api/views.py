"""The meetings API: thin viewsets over the selectors (reads, scoped) and services (writes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from meetings.api import serializers as s
from meetings.filters import ActionItemFilter, AgendaItemFilter, MeetingFilter, NotificationFilter
from meetings.models import ActionItem, AgendaItem, Meeting, Notification
from meetings.selectors import load as load_selectors
from meetings.selectors.kickoff import kickoff_warnings
from meetings.selectors.meetings import (
    action_item_can_update,
    action_items_visible,
    agenda_items_visible,
    meeting_can_edit,
    meeting_get_for_user,
    meeting_list,
    notifications_for_user,
    unread_notification_count,
)
from meetings.services import calendar, costs, findtime, items, scheduling, update
from salesops.api.base import ScopedViewSet
from salesops.calendar import company_today
from salesops.edge import OUT_OF_RANGE, check_date
from salesops.permissions import InSalesOrg
from salesops.selectors.scope import person_for_user, sees_everything


def _require_edit(request: Request, meeting: Meeting) -> None:
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may change this.")


def _meeting_response(
    request: Request, meeting_id: int, warnings: list[str], code: int
) -> Response:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    data = dict(s.MeetingOutputSerializer(meeting, context={"request": request}).data)
    data["warnings"] = warnings
    return Response(data, status=code)


class MeetingViewSet(ScopedViewSet):
    """Meetings in the caller's scope: a rep's own, a manager's team's, everything for sales ops."""

    permission_classes = [InSalesOrg]
    filterset_class = MeetingFilter
    ordering_fields = ["start", "title"]
    search_fields = ["title", "location"]
    serializer_class = s.MeetingOutputSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        return meeting_list(user=self.request.user)

    def _get(self, pk: Any) -> Meeting:
        return meeting_get_for_user(user=self.request.user, meeting_id=int(pk))

    def list(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            s.MeetingOutputSerializer(page, many=True, context={"request": request}).data
        )

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        meeting = self._get(pk)
        data = dict(s.MeetingOutputSerializer(meeting, context={"request": request}).data)
        data["warnings"] = kickoff_warnings(meeting=meeting)
        return Response(data)

    @extend_schema(request=s.MeetingInputSerializer, responses=s.MeetingOutputSerializer)
    def create(self, request: Request) -> Response:
        me = person_for_user(request.user)
        everything = sees_everything(request.user)
        raw = request.data.get("organizer") if hasattr(request.data, "get") else None
        if not everything and raw not in (None, "") and (me is None or str(raw) != str(me.pk)):
            # Before the id is read: a colleague's id and an absent one get the same 403.
            raise PermissionDenied("Only sales ops may book a meeting for another organizer.")
        data = s.MeetingInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        organizer = v.pop("organizer", None)
        if organizer is None or not everything:
            organizer = me
        if organizer is None:
            raise PermissionDenied("Pick an organizer: you are not a person of the sales org.")
        result = scheduling.meeting_schedule(
            organizer=organizer,
            attendees=s.attendee_inputs(v.pop("attendees", [])),
            agenda=s.agenda_inputs(v.pop("agenda")) if "agenda" in v else None,
            **v,
            viewer=request.user,
        )
        return _meeting_response(request, result.meeting.pk, result.warnings, 201)

    @extend_schema(request=s.MeetingInputSerializer, responses=s.MeetingOutputSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        meeting = self._get(pk)
        _require_edit(request, meeting)
        data = s.MeetingInputSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("organizer", None)
        allow = v.pop("allow_conflicts", False)
        attendees = v.pop("attendees", None)
        agenda = v.pop("agenda", None)
        result = update.meeting_update(
            meeting=meeting,
            data=v,
            attendees=s.attendee_inputs(attendees) if attendees is not None else None,
            agenda=s.agenda_inputs(agenda) if agenda is not None else None,
            allow_conflicts=allow,
            viewer=request.user,
        )
        return _meeting_response(request, result.meeting.pk, result.warnings, 200)

    @extend_schema(request=s.RsvpInputSerializer, responses=s.AttendeeOutputSerializer)
    @action(detail=True, methods=["post"])
    def rsvp(self, request: Request, pk: Any = None) -> Response:
        """Answer an invitation (your own; sales ops may answer for an attendee id)."""
        meeting = self._get(pk)
        data = s.RsvpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendees = meeting.attendees.all()
        if "attendee" in data.validated_data:
            if not sees_everything(request.user):
                raise PermissionDenied("Only sales ops may answer for someone else.")
            match = [a for a in attendees if a.pk == data.validated_data["attendee"]]
        else:
            me = person_for_user(request.user)
            match = [a for a in attendees if me is not None and a.person_id == me.pk]
        if not match:
            raise PermissionDenied("You are not invited to this meeting.")
        attendee = scheduling.attendee_rsvp(attendee=match[0], rsvp=data.validated_data["rsvp"])
        return Response(s.AttendeeOutputSerializer(attendee).data)

    @extend_schema(responses=s.AttendeeOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a bare array, as documented
    def attendees(self, request: Request, pk: Any = None) -> Response:
        meeting = self._get(pk)
        return Response(s.AttendeeOutputSerializer(meeting.attendees.all(), many=True).data)

    @extend_schema(request=None, responses=s.MeetingOutputSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: Any = None) -> Response:
        """Mark done and post the meeting's cost to the ledger (exactly once)."""
        meeting = self._get(pk)
        _require_edit(request, meeting)
        costs.meeting_mark_done(meeting=meeting)
        return _meeting_response(request, meeting.pk, [], 200)

    @extend_schema(request=None, responses=s.MeetingOutputSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """Undo "done": the ledger entries of this meeting go to 0."""
        meeting = self._get(pk)
        _require_edit(request, meeting)
        costs.meeting_reopen(meeting=meeting)
        return _meeting_response(request, meeting.pk, [], 200)

    @extend_schema(request=s.CancelInputSerializer, responses=s.MeetingOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        meeting = self._get(pk)
        _require_edit(request, meeting)
        data = s.CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scheduling.meeting_cancel(meeting=meeting, **data.validated_data)
        return _meeting_response(request, meeting.pk, [], 200)

    @extend_schema(responses={(200, "text/calendar"): str})
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: Any = None) -> HttpResponse:
        meeting = self._get(pk)
        return HttpResponse(calendar.meeting_ics(meeting=meeting), content_type="text/calendar")

    @extend_schema(request=s.FindTimeInputSerializer, responses=s.SlotSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="find-time")
    def find_time(self, request: Request) -> Response:
        """The earliest free slots for everyone, inside everyone's working hours."""
        data = s.FindTimeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        excluded = v.get("exclude_meeting")
        if (
            excluded is not None
            and not meeting_list(user=request.user).filter(pk=excluded).exists()
        ):
            # Only a meeting the caller sees may be left out (else its busy time would show).
            raise NotFound({"exclude_meeting": ["No such meeting."]})
        slots = findtime.find_time(
            person_ids=[p.pk for p in v["attendees"]],
            duration=timedelta(minutes=v["duration_minutes"]),
            window_start=v["window_start"],
            window_end=v["window_end"],
            buffer_before=timedelta(minutes=v["buffer_before_minutes"]),
            buffer_after=timedelta(minutes=v["buffer_after_minutes"]),
            step=timedelta(minutes=v["step_minutes"]),
            limit=v["count"],
            exclude_meeting_id=v.get("exclude_meeting"),
        )
        return Response(
            s.SlotSerializer([{"start": a, "end": b} for a, b in slots], many=True).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="Any date in the week (ISO)")],
        responses=s.LoadRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # a bare array, as documented
    def load(self, request: Request) -> Response:
        """Meeting hours, count and cost per visible person for one week; `overloaded` above
        MEETING_LOAD_LIMIT_HOURS."""
        raw = request.query_params.get("week")
        try:
            week = check_date(date.fromisoformat(raw)) if raw else company_today()
        except (ValueError, ValidationError):
            return Response({"week": [OUT_OF_RANGE]}, status=status.HTTP_400_BAD_REQUEST)
        rows = load_selectors.team_load(user=request.user, week_start=week)
        payload = [
            {
                "person": r.person,
                "hours": r.hours,
                "meetings": r.meetings,
                "cost": r.cost,
                "limit_hours": r.limit_hours,
                "overloaded": r.overloaded,
            }
            for r in rows
        ]
        return Response(s.LoadRowSerializer(payload, many=True).data)


class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    permission_classes = [InSalesOrg]
    filterset_class = AgendaItemFilter
    serializer_class = s.AgendaItemOutputSerializer

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return agenda_items_visible(user=self.request.user).order_by("meeting_id", "order", "id")

    @extend_schema(request=s.AgendaItemInputSerializer, responses=s.AgendaItemOutputSerializer)
    def create(self, request: Request) -> Response:
        data = s.AgendaItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if "meeting" not in v or "title" not in v or "minutes" not in v:
            return Response(
                {"non_field_errors": ["meeting, title and minutes are required."]}, status=400
            )
        meeting = meeting_get_for_user(user=request.user, meeting_id=v["meeting"].pk)
        _require_edit(request, meeting)
        item = items.agenda_item_create(
            meeting=meeting,
            title=v["title"],
            minutes=v["minutes"],
            owner=v.get("owner"),
            notes=v.get("notes", ""),
        )
        return Response(s.AgendaItemOutputSerializer(item).data, status=201)

    @extend_schema(request=s.AgendaItemInputSerializer, responses=s.AgendaItemOutputSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        _require_edit(request, item.meeting)
        data = s.AgendaItemInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("meeting", None)
        item = items.agenda_item_update(item=item, **v)
        return Response(s.AgendaItemOutputSerializer(item).data)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        _require_edit(request, item.meeting)
        items.agenda_item_delete(item=item)
        return Response(status=204)


class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    permission_classes = [InSalesOrg]
    filterset_class = ActionItemFilter
    serializer_class = s.ActionItemOutputSerializer
    ordering_fields = ["due_date"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return action_items_visible(user=self.request.user).order_by("due_date", "id")

    @extend_schema(request=s.ActionItemInputSerializer, responses=s.ActionItemOutputSerializer)
    def create(self, request: Request) -> Response:
        data = s.ActionItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        missing = [f for f in ("meeting", "owner", "description", "due_date") if f not in v]
        if missing:
            return Response({f: ["This field is required."] for f in missing}, status=400)
        meeting = meeting_get_for_user(user=request.user, meeting_id=v["meeting"].pk)
        _require_edit(request, meeting)
        item = items.action_item_create(
            meeting=meeting, owner=v["owner"], description=v["description"], due_date=v["due_date"]
        )
        return Response(s.ActionItemOutputSerializer(item).data, status=201)

    @extend_schema(request=s.ActionItemInputSerializer, responses=s.ActionItemOutputSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Owners may change the status of their own items; editors of the meeting anything."""
        item = self.get_object()
        if not action_item_can_update(user=request.user, item=item):
            raise PermissionDenied("Only the owner or the meeting's organizer may change this.")
        data = s.ActionItemInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("meeting", None)
        other = {k: v[k] for k in ("description", "due_date", "owner") if k in v}
        if other:
            if not meeting_can_edit(user=request.user, meeting=item.meeting):
                raise PermissionDenied("Owners may only tick their items off or reopen them.")
            item = items.action_item_update(item=item, **other)
        if "status" in v:
            item = items.action_item_set_status(item=item, status=v["status"])
        return Response(s.ActionItemOutputSerializer(item).data)

    @extend_schema(request=None, responses=s.ActionItemOutputSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        if not action_item_can_update(user=request.user, item=item):
            raise PermissionDenied("Only the owner or the meeting's organizer may tick this off.")
        item = items.action_item_set_status(item=item, status="done")
        return Response(s.ActionItemOutputSerializer(item).data)


class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The caller's own in-app notifications."""

    filterset_class = NotificationFilter
    serializer_class = s.NotificationOutputSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications_for_user(user=self.request.user)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": unread_notification_count(user=request.user)})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        notification = self.get_object()
        me = person_for_user(request.user)
        if me is not None:
            items.notifications_mark_read(person=me, ids=[notification.pk])
        return Response({"read": True})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        me = person_for_user(request.user)
        count = items.notifications_mark_read(person=me) if me is not None else 0
        return Response({"marked": count})
