"""Booking links: a prospect books a meeting with a person, or with a team, on a public page.

The routing rule of a team link (docs/meetings-booking.md, shown to sales ops on the link's page):
1. The prospect's e-mail domain names an account (AccountDomain). If that account has a live
   territory today (territories' selector) and owners of that territory are in the team, they are
   the candidates.
2. Otherwise (no account, no territory, no owner in the team) every active member of the team is a
   candidate.
3. Among the candidates free at the chosen slot, the one with the lowest meeting load in the
   slot's week gets the meeting: hours in internal meetings (meetings.selectors.load) plus hours
   of meetings booked through links; ties go to whoever got a booking from this link longest ago
   (never first), then by name. Each booking adds to its rep's load, so bookings rotate: a round
   robin weighted by load.
4. If no candidate of step 1 is free at the slot, step 2's candidates are used.
The page and the answer are the same whether or not the domain matched an account, so the page
cannot be used to learn which companies are customers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.text import slugify

from meetings.models import AccountDomain, Booking, BookingLink, MeetingStatus, MeetingType
from meetings.selectors.load import meeting_load_by_person, week_bounds
from meetings.services.conflicts import ConflictError
from meetings.services.findtime import WorkingHours, busy_intervals, free_slots
from meetings.services.schedule_rows import AttendeeInput
from meetings.services.scheduling import meeting_schedule
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import Account, Person, Team

Interval = tuple[datetime, datetime]
STEP = timedelta(minutes=30)
MAX_SLOTS = 60
MAX_QUESTIONS = 5
RATE_WINDOW = timedelta(minutes=10)
RATE_LIMIT = 10  # booking attempts per client address and link per window

RULE_TEXT = (
    "Person link: always {person}. Team link: (1) the prospect's e-mail domain names an account; "
    "if its territory's owners are in {team}, they are the candidates; (2) otherwise every active "
    "member of {team}. (3) Of the candidates free at the slot, the lowest meeting load in that "
    "week (hours in internal meetings plus hours booked through links) wins; ties go to whoever "
    "got a booking from this link longest ago, then by name. (4) If no "
    "territory owner is free at the slot, every member of {team} is considered."
)

# The invitation e-mail to the prospect is sent by meeting_schedule itself (meetings.services
# .invitations.invitations_for_booking, issue 24 item 1), like for any meeting booked in the app.


@dataclass(frozen=True)
class Routed:
    person: Person
    reason: str


def rule_text(link: BookingLink) -> str:
    person = link.person.name if link.person else "—"
    team = link.team.name if link.team else "the team"
    return RULE_TEXT.format(person=person, team=team)


def _clean_questions(questions: Sequence[str]) -> list[str]:
    cleaned = [q.strip()[:200] for q in questions if q and q.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"At most {MAX_QUESTIONS} questions."})
    return cleaned


def booking_link_create(
    *,
    created_by: object,
    title: str,
    person: Person | None = None,
    team: Team | None = None,
    duration_minutes: int = 30,
    buffer_minutes: int = 0,
    min_notice_minutes: int = 240,
    horizon_days: int = 14,
    questions: Sequence[str] = (),
    slug: str = "",
) -> BookingLink:
    if (person is None) == (team is None):
        raise ValidationError({"team": "A link books either one person or one team."})
    if not title.strip():
        raise ValidationError({"title": "Give the link a title."})
    base = slugify(slug or title)[:40] or "meet"
    token = hashlib.sha256(f"{base}{timezone.now().isoformat()}".encode()).hexdigest()[:8]
    link = BookingLink(
        slug=f"{base}-{token}",
        title=title.strip()[:200],
        person=person,
        team=team,
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        min_notice_minutes=min_notice_minutes,
        horizon_days=horizon_days,
        questions=_clean_questions(questions),
        created_by=created_by,  # type: ignore[misc]
    )
    link.full_clean(exclude=["created_by", "person", "team"])
    link.save()
    return link


# --- candidates and slots ---------------------------------------------------------------------


def team_members(link: BookingLink) -> list[Person]:
    if link.person is not None:
        return [link.person]
    return list(Person.objects.filter(team=link.team, active=True).order_by("name", "id"))


def _window(link: BookingLink, now: datetime) -> tuple[datetime, datetime]:
    start = now + timedelta(minutes=link.min_notice_minutes)
    return start, now + timedelta(days=link.horizon_days)


def _free_for(person: Person, link: BookingLink, lo: datetime, hi: datetime) -> list[Interval]:
    buffer = timedelta(minutes=link.buffer_minutes)
    busy = busy_intervals(person_ids=[person.pk], start=lo - buffer, end=hi + buffer)
    return free_slots(
        people=[WorkingHours.of(person)],
        busy=busy,
        window_start=lo,
        window_end=hi,
        duration=timedelta(minutes=link.duration_minutes),
        buffer_before=buffer,
        buffer_after=buffer,
        step=STEP,
        limit=MAX_SLOTS,
    )


def link_slots(*, link: BookingLink, now: datetime | None = None) -> list[Interval]:
    """Slots at which at least one of the link's people is free (the earliest MAX_SLOTS)."""
    lo, hi = _window(link, now or timezone.now())
    found: set[Interval] = set()
    for person in team_members(link):
        found.update(_free_for(person, link, lo, hi))
    return sorted(found)[:MAX_SLOTS]


def _free_at(people: Sequence[Person], link: BookingLink, slot: Interval) -> list[Person]:
    return [p for p in people if slot in _free_for(p, link, slot[0], slot[1])]


def _territory_owner_ids(link: BookingLink, email: str) -> set[int]:
    """Owners (today) of the territory of the account the e-mail's domain names; empty if none."""
    from territories.selectors.access import visible_coverage
    from territories.selectors.history import account_territory_on

    domain = email.rsplit("@", 1)[-1].strip().lower()
    account_id = (
        AccountDomain.objects.filter(domain=domain).values_list("account_id", flat=True).first()
    )
    if account_id is None or link.created_by is None:
        return set()
    today = calendar.company_today()
    territory_id = account_territory_on(account_id=account_id, on=today)
    if territory_id is None:
        return set()
    rows = visible_coverage(user=link.created_by).filter(
        territory_id=territory_id, role="owner", effective_from__lte=today
    )
    return {r.person_id for r in rows if r.effective_to is None or r.effective_to >= today}


def _booked_hours(person_ids: Sequence[int], week: date) -> dict[int, Decimal]:
    """Hours of meetings booked through any link this week, per person (client meetings do not
    count in the internal load, but they must spread the bookings)."""
    start, end = week_bounds(week)
    rows = (
        Booking.objects.filter(
            routed_to_id__in=list(person_ids), meeting__start__gte=start, meeting__start__lt=end
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values("routed_to_id")
        .annotate(minutes=Sum("meeting__duration_minutes"))
    )
    return {r["routed_to_id"]: Decimal(r["minutes"]) / 60 for r in rows}


def _pick(candidates: Sequence[Person], link: BookingLink, slot: Interval) -> Person:
    week = calendar.company_date(slot[0])
    ids = [p.pk for p in candidates]
    internal = meeting_load_by_person(person_ids=ids, week_start=week)
    booked = _booked_hours(ids, week)
    loads = {pid: internal[pid].hours + booked.get(pid, Decimal(0)) for pid in ids}
    last = dict(
        Booking.objects.filter(link=link, routed_to__in=candidates)
        .values("routed_to_id")
        .annotate(last=Max("created_at"))
        .values_list("routed_to_id", "last")
    )
    never = datetime(1970, 1, 1, tzinfo=UTC)
    return min(candidates, key=lambda p: (loads[p.pk], last.get(p.pk) or never, p.name, p.pk))


def route(*, link: BookingLink, email: str, slot: Interval) -> Routed:
    """Who gets the meeting (the module docstring's rule); ApplicationError if nobody is free."""
    members = team_members(link)
    if link.person is not None:
        if not _free_at(members, link, slot):
            raise ApplicationError("That time was just taken; pick another one.")
        return Routed(link.person, "person link")
    owners = _territory_owner_ids(link, email)
    in_territory = _free_at([m for m in members if m.pk in owners], link, slot)
    if in_territory:
        person = _pick(in_territory, link, slot)
        return Routed(person, "territory owner, lowest meeting load this week")
    free = _free_at(members, link, slot)
    if not free:
        raise ApplicationError("That time was just taken; pick another one.")
    reason = "team round robin, lowest meeting load this week"
    if owners:
        reason += " (no territory owner free at that time)"
    return Routed(_pick(free, link, slot), reason)


# --- booking ----------------------------------------------------------------------------------


def booking_rate_check(*, link: BookingLink, client: str, now: datetime | None = None) -> None:
    """Count an attempt for this client (IP) and link; ApplicationError over the limit. A fixed
    window kept in the database (one upsert), shared by every web process."""
    now = now or timezone.now()
    window = datetime.fromtimestamp(
        now.timestamp() // RATE_WINDOW.total_seconds() * RATE_WINDOW.total_seconds(), tz=UTC
    )
    key = hashlib.sha256(f"{link.pk}:{client}".encode()).hexdigest()[:64]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO meetings_bookingattemptcounter (key, window_start, count) "
            "VALUES (%s, %s, 1) ON CONFLICT (key, window_start) "
            "DO UPDATE SET count = meetings_bookingattemptcounter.count + 1 RETURNING count",
            [key, window],
        )
        row = cursor.fetchone()
    if row is not None and row[0] > RATE_LIMIT:
        raise ApplicationError("Too many attempts from your address; try again in a few minutes.")


def _offered(link: BookingLink, start: datetime, now: datetime) -> Interval:
    slot = (start, start + timedelta(minutes=link.duration_minutes))
    lo, hi = _window(link, now)
    on_grid = (start - datetime(1970, 1, 1, tzinfo=UTC)) % STEP == timedelta(0)
    if not (lo <= start and slot[1] <= hi and on_grid):
        raise ValidationError({"start": "Pick one of the times offered."})
    return slot


def _description(link: BookingLink, answers: dict[str, str]) -> str:
    lines = [f"Booked through “{link.title}”."]
    lines += [f"{q}: {answers.get(q, '')}" for q in link.questions]
    return "\n".join(lines)


@transaction.atomic
def booking_create(
    *,
    link: BookingLink,
    start: datetime,
    name: str,
    email: str,
    answers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book `start` on the link for the prospect: routes, schedules a client meeting through
    meeting_schedule (conflicts re-checked under the transaction) and records the Booking."""
    now = now or timezone.now()
    if not link.active:
        raise ApplicationError("This booking link is no longer active.")
    errors = {}
    if not name.strip():
        errors["name"] = "Tell us your name."
    if "@" not in email or len(email) > 254:
        errors["email"] = "Give a valid e-mail address."
    if errors:
        raise ValidationError(errors)
    answers = {q: (answers or {}).get(q, "").strip()[:1000] for q in link.questions}
    slot = _offered(link, start, now)
    routed = route(link=link, email=email, slot=slot)
    account = (
        AccountDomain.objects.filter(domain=email.rsplit("@", 1)[-1].lower())
        .select_related("account")
        .first()
    )
    try:
        result = meeting_schedule(
            organizer=routed.person,
            title=f"{link.title}: {name.strip()[:100]}",
            type=MeetingType.CLIENT,
            start=slot[0],
            end=slot[1],
            time_zone=routed.person.time_zone,
            description=_description(link, answers),
            account=account.account if account else None,
            attendees=[AttendeeInput(name=name.strip()[:150], email=email.strip().lower())],
        )
    except ConflictError as exc:
        raise ApplicationError("That time was just taken; pick another one.") from exc
    booking = Booking.objects.create(
        link=link,
        meeting=result.meeting,
        routed_to=routed.person,
        name=name.strip()[:150],
        email=email.strip().lower(),
        answers=answers,
        reason=routed.reason[:300],
    )
    return booking


# --- account e-mail domains (kept by sales ops) -----------------------------------------------

DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def account_domain_add(*, domain: str, account_name: str) -> AccountDomain:
    """Map an e-mail domain to an account (by its exact name, any case). A domain names one
    account; public mail providers should not be added (everyone would route to one account)."""
    clean = domain.strip().lower().removeprefix("@")
    if not DOMAIN.match(clean):
        raise ValidationError({"domain": "Give a domain such as globex.com."})
    account = Account.objects.filter(name__iexact=account_name.strip()).first()
    if account is None:
        raise ValidationError({"account": f"No account is named “{account_name.strip()}”."})
    if AccountDomain.objects.filter(domain=clean).exists():
        raise ValidationError({"domain": f"{clean} already names an account."})
    return AccountDomain.objects.create(domain=clean, account=account)


def account_domains() -> list[AccountDomain]:
    return list(AccountDomain.objects.select_related("account").order_by("domain"))


def account_domain_remove(*, domain_id: int) -> None:
    AccountDomain.objects.filter(pk=domain_id).delete()
