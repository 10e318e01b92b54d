"""Shared fixtures: the personas every access test uses, API clients, and a real Celery worker.

Personas (ARCHITECTURE.md):
- admin: superuser, no Person; sees everything.
- sales_ops: a sales operations manager; sees everything.
- manager_a manages team A (rep_a1, rep_a2); team A has a sub-team A-East (rep_a3), so manager_a
  sees rep_a3 too (down the hierarchy).
- manager_b manages team B (rep_b1).
- outsider: an SDR in team C, which neither manager manages.
Each persona is a User; `.person` is their Person (admin has none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from salesops.models import Person, Role, Team
from salesops.services.people import person_sync_groups
from tests.factories import PersonFactory, TeamFactory, UserFactory


@dataclass
class Personas:
    admin: Any
    sales_ops: Any
    manager_a: Any
    rep_a1: Any
    rep_a2: Any
    rep_a3: Any
    manager_b: Any
    rep_b1: Any
    outsider: Any
    team_a: Team
    team_a_east: Team
    team_b: Team
    team_c: Team

    def all(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in (
                "admin",
                "sales_ops",
                "manager_a",
                "rep_a1",
                "rep_a2",
                "rep_a3",
                "manager_b",
                "rep_b1",
                "outsider",
            )
        }

    def person(self, name: str) -> Person:
        return getattr(self, name).person


def _persona(
    username: str, name: str, role: str, team: Team | None, manager: Person | None = None
) -> Any:
    user = UserFactory(username=username)
    person = PersonFactory(user=user, name=name, role=role, team=team, manager=manager)
    person_sync_groups(person=person)
    user.refresh_from_db()
    return user


def pytest_report_header() -> str:
    from django.conf import settings

    from tests.calendars import selected_calendar

    return (
        f"company calendar: {selected_calendar()} (SALESOPS_TEST_CALENDAR): "
        f"FISCAL_CALENDAR={settings.FISCAL_CALENDAR}, "
        f"FISCAL_YEAR_START_MONTH={settings.FISCAL_YEAR_START_MONTH}, "
        f"COMPANY_TIME_ZONE={settings.COMPANY_TIME_ZONE}"
    )


@pytest.fixture
def january_berlin(settings: Any) -> None:
    """Pin the default company calendar (calendar months from January, Europe/Berlin) for a test
    whose dates are worked examples of it, whatever SALESOPS_TEST_CALENDAR chose. The periods of
    every calendar are checked by the calendar-agnostic tests."""
    from tests.calendars import CALENDARS

    for name, value in CALENDARS["jan-berlin"].items():
        setattr(settings, name, value)
    settings.FISCAL_WEEK_END_WEEKDAY = "sat"
    settings.CELERY_TIMEZONE = "Europe/Berlin"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Personas hash nine passwords per test; PBKDF2's deliberate slowness costs seconds each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: None) -> Personas:
    team_a = TeamFactory(name="Team A", region="Central")
    team_a_east = TeamFactory(name="Team A East", parent=team_a, region="East")
    team_b = TeamFactory(name="Team B", region="West")
    team_c = TeamFactory(name="Team C", region="North")
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    sales_ops = _persona("sales_ops", "Olivia Ops", Role.SALES_OPS_MANAGER, None)
    manager_a = _persona("manager_a", "Maria Manager", Role.SALES_MANAGER, team_a)
    manager_b = _persona("manager_b", "Ben Boss", Role.SALES_MANAGER, team_b)
    team_a.manager = manager_a.person
    team_a.save()
    team_b.manager = manager_b.person
    team_b.save()
    rep_a1 = _persona("rep_a1", "Anna Rep", Role.ACCOUNT_EXECUTIVE, team_a, manager_a.person)
    rep_a2 = _persona("rep_a2", "Arno Rep", Role.SDR, team_a, manager_a.person)
    rep_a3 = _persona("rep_a3", "Ava East", Role.ACCOUNT_EXECUTIVE, team_a_east, manager_a.person)
    rep_b1 = _persona("rep_b1", "Bert Rep", Role.ACCOUNT_EXECUTIVE, team_b, manager_b.person)
    outsider = _persona("outsider", "Otto Outsider", Role.SDR, team_c)
    return Personas(
        admin=admin,
        sales_ops=sales_ops,
        manager_a=manager_a,
        rep_a1=rep_a1,
        rep_a2=rep_a2,
        rep_a3=rep_a3,
        manager_b=manager_b,
        rep_b1=rep_b1,
        outsider=outsider,
        team_a=team_a,
        team_a_east=team_a_east,
        team_b=team_b,
        team_c=team_c,
    )


@pytest.fixture
def api_client_for() -> Callable[[AbstractBaseUser | None], APIClient]:
    """`api_client_for(user)`: an APIClient authenticated as that user (None: anonymous)."""

    def make(user: AbstractBaseUser | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def client_for(client: Any) -> Callable[[AbstractBaseUser], Any]:
    """`client_for(user)`: Django's test client logged in as that user (for pages)."""

    def make(user: AbstractBaseUser) -> Any:
        client.force_login(user)
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[Any]:
    """A real Celery worker (a thread in this process) consuming the real Redis broker.

    Uses the transactional database so rows the test writes are committed and visible to the
    worker's own connection. The queue is purged first so nothing from another test leaks in.
    """
    from celery.contrib.testing.worker import start_worker

    from salesops.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker
