"""Which meetings a user sees, and what they may change.

A rep sees meetings they organise or attend; a manager also those of everyone in their teams
(down the hierarchy); sales ops and admins see all. One fetch outside the scope is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from meetings.models import ActionItem, AgendaItem, Attendee, Meeting, Notification
from salesops.selectors.scope import AnyUser, person_for_user, scope_for


def visible_meetings(*, user: AnyUser) -> QuerySet[Meeting]:
    scope = scope_for(user)
    if scope.everything:
        return Meeting.objects.all()
    if scope.nothing:
        return Meeting.objects.none()
    attends = Attendee.objects.filter(scope.people_q("person"), meeting_id=OuterRef("pk"))
    return Meeting.objects.filter(scope.people_q("organizer") | Exists(attends))


def with_details(qs: QuerySet[Meeting], *, account_and_deal: bool = True) -> QuerySet[Meeting]:
    """Everything a meeting page or serializer shows, in a fixed number of queries. Lists show
    the account and deal as ids at most (`account_and_deal=False`): joining both rows into every
    meeting of a page only widened the page query (and its DISTINCT)."""
    related = ("organizer", "account", "deal") if account_and_deal else ("organizer",)
    return qs.select_related(*related).prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("person")),
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("owner")),
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
    )


def meeting_list(*, user: AnyUser, mine_only: bool = False) -> QuerySet[Meeting]:
    """Meetings in the user's scope; `mine_only` narrows to those they organise or attend."""
    qs = visible_meetings(user=user)
    if mine_only:
        person = person_for_user(user)
        if person is None:
            return Meeting.objects.none()
        mine = Attendee.objects.filter(person_id=person.pk, meeting_id=OuterRef("pk"))
        qs = qs.filter(Exists(mine))
    return with_details(qs, account_and_deal=False).order_by("start", "id")


def meeting_get_for_user(*, user: AnyUser, meeting_id: int) -> Meeting:
    meeting = with_details(visible_meetings(user=user)).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meeting_cost_visible(*, user: AnyUser, attendees: Iterable[Attendee]) -> bool:
    """Whether the user may see a meeting's cost: only if they may see the hourly rate of every
    internal attendee (the attendees themselves up the tree: their managers, sales ops, admins).
    Others see hours, never money. Uses prefetched attendees with their person: no query."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.nothing:
        return False
    for attendee in attendees:
        person = attendee.person
        if person is None:
            continue
        if person.pk != scope.person_id and person.team_id not in scope.team_ids:
            return False
    return True


def meeting_can_edit(*, user: AnyUser, meeting: Meeting) -> bool:
    """The organizer, a manager whose scope holds the organizer, sales ops and admins."""
    scope = scope_for(user)
    if scope.everything:
        return True
    person = person_for_user(user)
    if person is None:
        return False
    if meeting.organizer_id == person.pk:
        return True
    return bool(scope.team_ids) and meeting.organizer.team_id in scope.team_ids


def agenda_items_visible(*, user: AnyUser) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(
        meeting__in=visible_meetings(user=user).values("pk")
    ).select_related("owner", "meeting")


def action_items_visible(*, user: AnyUser) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        meeting__in=visible_meetings(user=user).values("pk")
    ).select_related("owner", "meeting")


def attendees_visible(*, user: AnyUser) -> QuerySet[Attendee]:
    return Attendee.objects.filter(
        meeting__in=visible_meetings(user=user).values("pk")
    ).select_related("person", "meeting")


def action_item_can_update(*, user: AnyUser, item: ActionItem) -> bool:
    """Owners tick off their own items; whoever may edit the meeting may change any of them."""
    person = person_for_user(user)
    if person is not None and item.owner_id == person.pk:
        return True
    return meeting_can_edit(user=user, meeting=item.meeting)


def my_open_action_items(*, user: AnyUser) -> QuerySet[ActionItem]:
    person = person_for_user(user)
    if person is None:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(owner_id=person.pk, status="open")
        .select_related("meeting")
        .order_by("due_date", "id")
    )


def notifications_for_user(*, user: AnyUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(person__user_id=user.pk)


def unread_notification_count(*, user: AnyUser) -> int:
    """One query, no Person fetch (runs on every page through the context processor)."""
    return notifications_for_user(user=user).filter(read_at__isnull=True).count()
