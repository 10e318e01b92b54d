import pytest

from salesops.selectors.scope import scope_for, team_subtree_ids, visible_people, visible_teams

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_rep_sees_only_themselves(personas):
    assert names(visible_people(user=personas.rep_a1)) == ["Anna Rep"]


def test_manager_sees_their_team_and_sub_teams_but_not_other_teams(personas):
    assert names(visible_people(user=personas.manager_a)) == [
        "Anna Rep",
        "Arno Rep",
        "Ava East",
        "Maria Manager",
    ]
    assert names(visible_teams(user=personas.manager_a)) == ["Team A", "Team A East"]


def test_other_manager_sees_only_team_b(personas):
    assert names(visible_people(user=personas.manager_b)) == ["Ben Boss", "Bert Rep"]


@pytest.mark.parametrize("who", ["admin", "sales_ops"])
def test_sales_ops_and_admin_see_everyone(personas, who):
    assert visible_people(user=getattr(personas, who)).count() == 8
    assert scope_for(getattr(personas, who)).everything


def test_deactivated_person_sees_nothing(personas):
    person = personas.person("manager_a")
    person.active = False
    person.save()
    user = type(personas.manager_a).objects.get(pk=personas.manager_a.pk)
    assert visible_people(user=user).count() == 0


def test_team_subtree_follows_the_hierarchy(personas):
    assert team_subtree_ids([personas.team_a.pk]) == {personas.team_a.pk, personas.team_a_east.pk}
    assert team_subtree_ids([]) == frozenset()
