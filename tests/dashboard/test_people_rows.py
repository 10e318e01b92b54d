"""The people table's rows ({% people_rows %}) render what the template loop they replaced did."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from dashboard.panels import MeetingLoad
from dashboard.people import PersonRow

# The loop of templates/dashboard/dashboard.html before the rows were rendered by the tag.
LOOP = """{% load salesops_format l10n %}{% localize off %}{% for row in people.rows %}
      <tr data-person="{{ row.person_id }}">
        <th scope="row" data-value="{{ row.name }}">{{ row.name }}{% if not row.active %} <span class="badge">inactive</span>{% endif %}<div class="muted small">{{ row.role }}</div></th>
        <td data-value="{{ row.team }}">{{ row.team|default:"—" }}</td>
        <td class="num" data-value="{{ row.revenue }}">{{ row.revenue|money }}</td>
        <td class="num" data-value="{{ row.cost }}">{{ row.cost|money }}</td>
        <td class="num" data-value="{{ row.ratio|default_if_none:'-1' }}">{{ row.ratio|ratio }}</td>
        <td class="num" data-value="{{ row.win_rate|default_if_none:'-1' }}">{{ row.win_rate|percent }} <span class="muted small">{{ row.won }}/{{ row.won|add:row.lost }}</span></td>
        {% if attainment %}
        <td class="num" data-value="{{ row.extra.attainment|default_if_none:'-1' }}">{{ row.extra.attainment|percent }}</td>
        <td class="num" data-value="{{ row.extra.pace|default_if_none:'-1' }}">{{ row.extra.pace|percent }}</td>
        <td>{% if row.extra.club == "chairmans" %}<span class="badge good">Chairman's Club</span>{% elif row.extra.club == "presidents" %}<span class="badge">President's Club</span>{% endif %}</td>
        {% endif %}
        {% if meeting_load %}<td class="num" data-value="{{ row.extra.meeting_hours|default_if_none:'0' }}">{% if row.extra.meeting_hours is None %}—{% else %}{{ row.extra.meeting_hours|floatformat:1 }}{% if row.extra.meeting_overloaded %} <span class="badge bad" title="Over {{ meeting_load.limit }} h a week in internal meetings">over limit</span>{% endif %}{% endif %}</td>{% endif %}
        <td class="num" data-value="{{ row.open_pipeline }}">{{ row.open_pipeline|money }} <span class="muted small">({{ row.open_deals }})</span></td>
      </tr>
    {% endfor %}{% endlocalize %}"""

TAG = "{% load dashboard_people %}{% people_rows people.rows attainment meeting_load %}"


def _row(pk: int, **kw: object) -> PersonRow:
    base: dict[str, object] = {
        "person_id": pk,
        "name": f"Person {pk}",
        "role": "Account executive",
        "team": "DACH",
        "active": True,
        "revenue": Decimal("1888790.449000"),
        "cost": Decimal("232770.94"),
        "ratio": Decimal("811.4374"),
        "won": 134,
        "lost": 85,
        "win_rate": Decimal("61.2"),
        "open_pipeline": Decimal("711207.70"),
        "open_deals": 40,
    }
    base.update(kw)
    return PersonRow(**base)  # type: ignore[arg-type]


def _rows() -> list[PersonRow]:
    rows = [
        _row(1),
        _row(
            2,
            name="O'Brien <b>&</b>",
            team="",
            active=False,
            ratio=None,
            win_rate=None,
            won=0,
            lost=0,
            revenue=Decimal("0E-2"),
            cost=Decimal(0),
            open_pipeline=Decimal("0.00"),
            open_deals=0,
        ),
        _row(3, role="Sales manager", revenue=Decimal("0.5"), cost=Decimal("1234567.5")),
        _row(4, team='R&D "Labs"'),
        _row(5),
    ]
    extras: list[dict[str, object]] = [
        {"attainment": Decimal("100.29"), "pace": Decimal("108.63"), "club": "presidents"},
        {"attainment": None, "pace": None, "club": ""},
        {"attainment": Decimal("131.00"), "pace": Decimal("99.95"), "club": "chairmans"},
        {"attainment": Decimal("0.05"), "pace": None, "club": ""},
        {"attainment": Decimal("12.25"), "pace": Decimal("12.35"), "club": ""},
    ]
    hours: list[dict[str, object]] = [
        {"meeting_hours": Decimal("11.50"), "meeting_overloaded": True},
        {},  # inactive: not counted, no key at all
        {"meeting_hours": Decimal("0.00"), "meeting_overloaded": False},
        {"meeting_hours": None},
        {"meeting_hours": Decimal("7.25"), "meeting_overloaded": False},
    ]
    for row, extra, hour in zip(rows, extras, hours, strict=True):
        row.extra.update(extra)
        row.extra.update(hour)
    return rows


def _norm(html: str) -> str:
    return re.sub(r"\s+<", "<", re.sub(r">\s+", ">", html)).strip()


@pytest.mark.parametrize("attainment", [True, False])
@pytest.mark.parametrize("with_load", [True, False])
def test_people_rows_match_the_template_loop(attainment: bool, with_load: bool) -> None:
    load = MeetingLoad(
        week_start=None,  # type: ignore[arg-type]
        limit=Decimal("8.0"),
        hours=Decimal(0),
        cost=Decimal(0),
        overloaded=[],
        people=5,
    )
    context = {
        "people": {"rows": _rows()},
        "attainment": True if attainment else None,
        "meeting_load": load if with_load else None,
    }
    expected = Template(LOOP).render(Context(context))
    got = Template(TAG).render(Context(context))
    assert _norm(got) == _norm(expected)
    assert got.count("<tr ") == 5
    assert "O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;" in got
    assert ('<span class="badge">inactive</span>' in got) and ("R&amp;D &quot;Labs&quot;" in got)
