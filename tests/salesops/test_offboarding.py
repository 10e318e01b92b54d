"""Issue 20, item 6: offboarding leaves no access.

Deactivating a person (admin, API) deactivates the login, removes staff, revokes tokens and
sessions, through one service; a staff user without a person sees nothing but their own
account page; role groups and permissions are right after one `migrate`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token

from salesops.models import Person
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admin_change_data(person: Person, **changes: Any) -> dict[str, Any]:
    data = {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "team": person.team_id or "",
        "manager": person.manager_id or "",
        "user": person.user_id or "",
        "hourly_cost": str(person.hourly_cost),
        "time_zone": person.time_zone,
        "work_start": person.work_start.strftime("%H:%M"),
        "work_end": person.work_end.strftime("%H:%M"),
        "work_days": person.work_days,
        "hire_date": "",
        "active": "on" if person.active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("active",)}


def _items(response: Any) -> list[Any]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _assert_no_access(user: Any, session_client: Client) -> None:
    user.refresh_from_db()
    assert not user.is_active and not user.is_staff
    assert not user.groups.exists()
    assert not Token.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=session_client.session.session_key).exists()
    api = Client()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 400


def test_unticking_active_in_the_admin_revokes_the_login_its_staff_tokens_and_sessions(
    personas,
):
    ops_user = personas.sales_ops
    ops_user.person.save()
    Token.objects.create(user=ops_user)
    their_session = _logged_in(ops_user)
    assert their_session.get("/admin/").status_code == 200  # staff, in the admin today

    admin = _logged_in(personas.admin)
    person = ops_user.person
    response = admin.post(
        f"/admin/salesops/person/{person.pk}/change/", _admin_change_data(person, active="")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.active is False
    _assert_no_access(ops_user, their_session)


def test_deactivating_through_the_api_revokes_the_login(personas, api_client_for):
    rep = personas.rep_a1
    Token.objects.create(user=rep)
    their_session = _logged_in(rep)
    response = api_client_for(personas.sales_ops).delete(f"/api/v1/people/{rep.person.pk}/")
    assert response.status_code == 204
    _assert_no_access(rep, their_session)


def test_a_staff_login_left_without_a_person_sees_nothing(personas):
    """Re-linking sales ops' person to a new login leaves the old login without a person: it
    loses staff; and a staff user without a person sees no statement and no payroll export."""
    old = personas.sales_ops
    new = UserFactory(username="olivia2")
    admin = _logged_in(personas.admin)
    person = old.person
    response = admin.post(
        f"/admin/salesops/person/{person.pk}/change/", _admin_change_data(person, user=new.pk)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.is_staff and not old.is_active
    assert new.is_staff and new.groups.filter(name="sales_ops_manager").exists()

    orphan = UserFactory(username="orphan", is_staff=True)
    client = _logged_in(orphan)
    statements = client.get("/api/v1/compensation/statements/")
    assert statements.status_code in (403, 404) or _items(statements) == []
    export = client.get("/api/v1/compensation/statements/export/?period=FY2026-M03")
    assert export.status_code in (403, 404)
    people = client.get("/api/v1/people/")
    assert people.status_code in (403, 404) or _items(people) == []
    assert "csv" not in client.get("/dashboard/people.csv").get("Content-Type", "")
    assert client.get("/admin/").status_code == 302  # to the admin login: no admin for them
    assert client.get("/").status_code == 200  # signed in, with nothing to show


def test_role_groups_have_their_permissions_after_one_migrate():
    ops = Group.objects.get(name="sales_ops_manager")
    codenames = set(ops.permissions.values_list("content_type__app_label", "codename"))
    for app, codename in (
        ("compensation", "change_commissionplan"),
        ("meetings", "change_meeting"),
        ("territories", "change_territory"),
        ("salesops", "change_person"),
    ):
        assert (app, codename) in codenames
    rep = Group.objects.get(name="account_executive")
    assert rep.permissions.filter(content_type__app_label="meetings").exists()
    assert not rep.permissions.exclude(codename__startswith="view_").exists()


def test_the_data_migration_sets_the_groups_without_any_post_migrate_sync():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("meetings.migrations.0003_role_groups_and_permissions")
    Group.objects.filter(name="sales_ops_manager").delete()
    Permission.objects.filter(content_type__app_label="compensation").delete()
    migration.sync_roles(apps, None)
    ops = Group.objects.get(name="sales_ops_manager")
    assert ops.permissions.filter(
        content_type__app_label="compensation", codename="change_commissionplan"
    ).exists()
