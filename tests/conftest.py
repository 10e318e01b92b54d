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

import math
import os
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


# Hypothesis example counts: each property test states its own `max_examples` (what `make
# properties` runs); `make test` runs a share of them (HYPOTHESIS_PROFILE=suite, the default),
# never fewer than MIN_EXAMPLES (or the test's own count if that is lower). HYPOTHESIS_PROFILE=full
# runs every test at its stated count.
HYPOTHESIS_SHARE = {"suite": 0.25, "full": 1.0}
MIN_EXAMPLES = 10


def hypothesis_profile() -> str:
    profile = os.environ.get("HYPOTHESIS_PROFILE", "suite")
    if profile not in HYPOTHESIS_SHARE:
        raise pytest.UsageError(
            f"HYPOTHESIS_PROFILE={profile!r}: one of {sorted(HYPOTHESIS_SHARE)}"
        )
    return profile


def scaled_examples(stated: int, share: float) -> int:
    return max(min(stated, MIN_EXAMPLES), math.ceil(stated * share))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from hypothesis import is_hypothesis_test
    from hypothesis import settings as hypothesis_settings

    share = HYPOTHESIS_SHARE[hypothesis_profile()]
    if share == 1.0:
        return
    for item in items:
        test = getattr(item, "obj", None)
        if not (isinstance(item, pytest.Function) and is_hypothesis_test(test)):
            continue
        test = getattr(test, "__func__", test)  # a method's function carries the settings
        # A parametrized test shares one function: scale it once.
        if getattr(test, "_salesops_examples_scaled", False):
            continue
        stated = test._hypothesis_internal_use_settings
        test._hypothesis_internal_use_settings = hypothesis_settings(
            stated, max_examples=scaled_examples(stated.max_examples, share)
        )
        test._salesops_examples_scaled = True


def _flushes_the_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After a transactional test's flush, the role groups get back every permission, as after
    one migrate. The flush's post_migrate runs salesops's role sync before the later apps'
    permissions exist; alone, pytest-django runs every such test after all the others, but an
    xdist worker (make test) runs a whole file at a time, so ordinary tests may follow one."""
    result = yield
    # After a worker's last test the session's teardown has already dropped the test database;
    # nothing follows it, so there is nothing to sync.
    if nextitem is not None and _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from salesops.services.roles import roles_sync

        with item.config.stash[blocking_manager_key].unblock():
            roles_sync()
    return result


def pytest_report_header() -> list[str]:
    from django.conf import settings

    from tests.calendars import selected_calendar

    profile = hypothesis_profile()
    return [
        f"company calendar: {selected_calendar()} (SALESOPS_TEST_CALENDAR): "
        f"FISCAL_CALENDAR={settings.FISCAL_CALENDAR}, "
        f"FISCAL_YEAR_START_MONTH={settings.FISCAL_YEAR_START_MONTH}, "
        f"COMPANY_TIME_ZONE={settings.COMPANY_TIME_ZONE}",
        f"hypothesis examples: HYPOTHESIS_PROFILE={profile}, "
        f"{HYPOTHESIS_SHARE[profile]:.0%} of each test's max_examples (at least {MIN_EXAMPLES})",
    ]


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
