"""The searchable choosers' endpoints (salesops.choosers, salesops.widgets): scoped, limited,
indexed."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.choosers import CHOOSER_LIMIT
from salesops.models import Deal, Person
from salesops.widgets import Chooser, MultiChooser
from tests.factories import AccountFactory, DealFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _values(response: Any) -> list[int]:
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


def test_people_chooser_finds_by_part_of_a_name_within_the_callers_scope(personas, client_for):
    anna = personas.person("rep_a1")
    bert = personas.person("rep_b1")
    manager = client_for(personas.manager_a)
    found = _values(manager.get("/choose/people/", {"q": "rep"}))
    assert anna.pk in found
    assert bert.pk not in found  # team B is outside manager A's scope


def test_people_chooser_matches_every_word_in_any_order(personas, client_for):
    found = _values(client_for(personas.sales_ops).get("/choose/people/", {"q": "rep ann"}))
    assert found == [personas.person("rep_a1").pk]


def test_rep_chooser_shows_only_themselves(personas, client_for):
    found = _values(client_for(personas.rep_a1).get("/choose/people/", {"q": ""}))
    assert found == [personas.person("rep_a1").pk]


def test_people_chooser_is_limited_and_says_there_is_more(personas, client_for):
    for i in range(CHOOSER_LIMIT + 5):
        PersonFactory(name=f"Zed Many {i:03d}", team=personas.team_c)
    body = client_for(personas.sales_ops).get("/choose/people/", {"q": "zed many"}).json()
    assert len(body["results"]) == CHOOSER_LIMIT
    assert body["more"] is True
    assert body["results"][0]["text"].startswith("Zed Many 000")


def test_choosers_need_login(client):
    response = client.get("/choose/people/", {"q": "a"})
    assert response.status_code == 302


def test_deal_chooser_finds_by_id_and_by_account_name_in_scope_only(personas, client_for):
    mine = DealFactory(
        external_id="QX-1001", owner=personas.person("rep_a1"), account__name="Globex Ltd"
    )
    theirs = DealFactory(
        external_id="QX-1002", owner=personas.person("rep_b1"), account__name="Globex Two"
    )
    rep = client_for(personas.rep_a1)
    assert _values(rep.get("/choose/deals/", {"q": "qx-10"})) == [mine.pk]
    assert _values(rep.get("/choose/deals/", {"q": "globex"})) == [mine.pk]
    ops = client_for(personas.sales_ops)
    assert set(_values(ops.get("/choose/deals/", {"q": "globex"}))) == {mine.pk, theirs.pk}


def test_account_chooser_lists_reference_data_for_the_org_but_not_for_strangers(
    personas, client_for, django_user_model
):
    account = AccountFactory(name="Initech GmbH")
    assert _values(client_for(personas.rep_a1).get("/choose/accounts/", {"q": "initech"})) == [
        account.pk
    ]
    stranger = django_user_model.objects.create_user(username="nobody", password="x")
    assert _values(client_for(stranger).get("/choose/accounts/", {"q": "initech"})) == []


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        # Proves the search *can* use an index: with sequential scans priced out, a plan that
        # still reads the table sequentially has no index to use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("persona", ["sales_ops", "manager_a", "rep_a1"])
def test_deal_search_plan_uses_no_sequential_scan_on_deals(personas, client_for, persona):
    owner = personas.person("rep_a1")
    for i in range(30):
        DealFactory(external_id=f"PLAN-{i:04d}", owner=owner, account__name=f"Plan Co {i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE salesops_deal; ANALYZE salesops_account; ANALYZE salesops_person")
    client = client_for(getattr(personas, persona))
    for q in ("plan-00", "plan co"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/choose/deals/", {"q": q}).status_code == 200
        deal_queries = [
            query["sql"] for query in ctx.captured_queries if '"salesops_deal"' in query["sql"]
        ]
        assert deal_queries
        for sql in deal_queries:
            plan = _plan(sql, None)
            assert "Seq Scan on salesops_deal " not in plan + " ", plan


def test_people_and_account_search_plans_use_the_trigram_indexes(personas, client_for):
    client = client_for(personas.sales_ops)
    for url, table, index in (
        ("/choose/people/", "salesops_person", "person_name_trgm"),
        ("/choose/accounts/", "salesops_account", "account_name_trgm"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"q": "rep"}).status_code == 200
        sql = next(
            q["sql"]
            for q in ctx.captured_queries
            if f'FROM "{table}"' in q["sql"] and "LIKE" in q["sql"]
        )
        assert f"Seq Scan on {table} " not in _plan(sql, None) + " "
        # The search predicate alone (what makes it fast at 5,000 people) is the trigram index's.
        bare = _plan(f'SELECT id FROM "{table}" WHERE UPPER("name"::text) LIKE %s', ["%REP%"])
        assert index in bare, bare


class _ChooserForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.all(), widget=Chooser(source="choose-people")
    )
    deals = forms.ModelMultipleChoiceField(
        queryset=Deal.objects.all(), required=False, widget=MultiChooser(source="choose-deals")
    )


def test_chooser_widget_renders_only_the_selected_options(personas):
    for i in range(40):
        PersonFactory(name=f"Filler {i}", team=personas.team_c)
    anna = personas.person("rep_a1")
    deal = DealFactory(owner=anna)
    html = str(_ChooserForm(initial={"person": anna.pk, "deals": [deal.pk]}))
    assert html.count("<option") == 3  # the empty choice, Anna, the deal
    assert 'data-chooser="/choose/people/"' in html
    assert 'data-chooser="/choose/deals/"' in html
    assert f'value="{anna.pk}" selected' in html
    form = _ChooserForm(data={"person": str(anna.pk), "deals": [str(deal.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == anna


def test_meeting_form_lists_no_one_until_searched_and_finds_colleagues_in_other_teams(
    personas, client_for
):
    for i in range(60):
        PersonFactory(name=f"Colleague {i:02d}", team=personas.team_c)
    rep = client_for(personas.rep_a1)
    html = rep.get("/meetings/new/").content.decode()
    attendees = html.split('name="attendees"')[1].split("</select>")[0]
    assert "<option" not in attendees
    assert 'data-chooser="/choose/colleagues/"' in html
    # The attendee picker offers anyone active in the org (the form accepts them), not only
    # the rep's own scope.
    found = _values(rep.get("/choose/colleagues/", {"q": "bert"}))
    assert found == [personas.person("rep_b1").pk]
