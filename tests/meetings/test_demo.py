from __future__ import annotations

import datetime as dt

import pytest

from meetings.demo import seed_demo
from meetings.models import ActionItem, Meeting, MeetingType, Notification
from meetings.selectors.load import meeting_load_by_person
from salesops import calendar
from salesops.models import Role, SalesCost
from tests.factories import AccountFactory, PersonFactory, TeamFactory, UserFactory

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
