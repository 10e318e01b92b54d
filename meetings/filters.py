"""One FilterSet per listable entity, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
import django_filters.fields

from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Meeting,
    MeetingStatus,
    MeetingType,
    Notification,
)
from salesops.edge import check_datetime


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO date-time with a real offset and a year in salesops.edge's range (else a 400)."""

    def clean(self, value: Any) -> datetime | None:
        cleaned = super().clean(value)
        return None if cleaned is None else check_datetime(cleaned)


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class MeetingFilter(django_filters.FilterSet):
    type = django_filters.MultipleChoiceFilter(choices=MeetingType.choices)
    status = django_filters.MultipleChoiceFilter(choices=MeetingStatus.choices)
    start_after = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="lt")
    attendee = django_filters.NumberFilter(field_name="attendees__person", distinct=True)
    organizer = django_filters.NumberFilter(field_name="organizer")
    account = django_filters.NumberFilter(field_name="account")
    deal = django_filters.NumberFilter(field_name="deal")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title")

    class Meta:
        model = Meeting
        fields = ["type", "status", "organizer", "account", "deal"]


class AgendaItemFilter(django_filters.FilterSet):
    class Meta:
        model = AgendaItem
        fields = ["meeting", "owner"]


class ActionItemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = ActionItem
        fields = ["meeting", "owner", "status"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread"]
