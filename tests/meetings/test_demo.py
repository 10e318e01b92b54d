from __future__ import annotations

import datetime as dt

import pytest

from meetings.demo import seed_demo
from meetings.models import ActionItem, Meeting, MeetingDeal, MeetingType, Notification
from meetings.selectors.load import meeting_load_by_person
from salesops import calendar
from salesops.models import Role, SalesCost, Stage
from tests.factories import AccountFactory, DealFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_org():
    team = TeamFactory(name="DACH")
    manager = PersonFactory(
        user=UserFactory(username="manager"), role=Role.SALES_MANAGER, team=team
    )
    team.manager = manager
    team.save()
    rep = PersonFactory(user=UserFactory(username="rep"), team=team, manager=manager)
    others = [
        PersonFactory(team=team, manager=manager, role=r) for r in (Role.SDR, Role.CUSTOMER_SUCCESS)
    ]
    PersonFactory(role=Role.SALES_OPS_MANAGER, team=TeamFactory(name="Ops"))
    AccountFactory(owner=rep)
    return manager, rep, others


def _fingerprint():
    return list(Meeting.objects.order_by("id").values_list("title", "type", "start", "status"))


def test_demo_has_every_meeting_type_agendas_actions_costs_and_overloaded_people(small_org):
    manager, rep, _ = small_org
    seed_demo(seed=3, scale="small")
    assert set(Meeting.objects.values_list("type", flat=True)) == set(MeetingType.values)
    assert Meeting.objects.exclude(rrule="").exists()
    assert Meeting.objects.filter(series__isnull=False).exists()
    assert not Meeting.objects.filter(agenda_items__isnull=True).exists()
    assert ActionItem.objects.filter(status="open", due_date__lt=calendar.company_today()).exists()
    assert SalesCost.objects.filter(category="meeting_time", amount__gt=0).exists()
    assert Notification.objects.filter(person=rep).exists()
    monday = calendar.company_today() - dt.timedelta(days=calendar.company_today().weekday())
    load = meeting_load_by_person(person_ids=[rep.pk, manager.pk], week_start=monday)
    assert load[rep.pk].overloaded and load[manager.pk].overloaded


def test_demo_is_deterministic_per_seed(small_org, django_db_blocker):
    seed_demo(seed=3, scale="small")
    first = _fingerprint()
    Meeting.objects.all().delete()
    SalesCost.objects.all().delete()
    Notification.objects.all().delete()
    seed_demo(seed=3, scale="small")
    assert _fingerprint() == first


def test_demo_client_meetings_are_held_for_the_organizers_deals_being_pursued(small_org):
    _manager, rep, _ = small_org
    account = rep.accounts.first()
    today = calendar.company_today()
    pursued = DealFactory(
        owner=rep,
        account=account,
        stage=Stage.CLOSING,
        engage_date=today - dt.timedelta(days=90),
        close_date=None,
    )
    later = DealFactory(
        owner=rep,
        account=account,
        stage=Stage.PROSPECTING,
        engage_date=today + dt.timedelta(days=200),
        close_date=None,
    )
    seed_demo(seed=3, scale="small")
    linked = MeetingDeal.objects.filter(meeting__account=account)
    assert linked.filter(deal=pursued).exists()
    assert not linked.filter(deal=later).exists()  # not yet pursued on any meeting's day
    assert all(
        link.meeting.type == MeetingType.CLIENT and link.meeting.organizer_id == rep.pk
        for link in linked.select_related("meeting")
    )
