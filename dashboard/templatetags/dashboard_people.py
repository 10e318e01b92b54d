"""The people table's rows, rendered in one pass.

The table is the page's largest repeated block (a page of 50 people, a dozen cells each): in the
template language every cell cost a variable look-up, a filter call, a localisation and an escape,
a third of the dashboard's rendering. Here each row is formatted once, with the same filters
(money, percent, ratio) and the same output as the template loop it replaces, every value escaped
(html.escape, which Django's escape applies).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from salesops.formulas import format_ratio
from salesops.templatetags.salesops_format import money, percent

register = template.Library()

TENTH = Decimal("0.1")
CLUBS = {
    "chairmans": """<span class="badge good">Chairman's Club</span>""",
    "presidents": """<span class="badge">President's Club</span>""",
}
INACTIVE = ' <span class="badge">inactive</span>'
MISSING = object()


def _raw(value: Any) -> str:
    """A number as a data-value (unlocalised, as under {% localize off %})."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    return str(localize(value, use_l10n=False))


def _or(value: Any, default: str) -> str:
    return default if value is None else _raw(value)


def _attainment_cells(extra: dict[str, Any]) -> str:
    attainment, pace = extra.get("attainment"), extra.get("pace")
    club = CLUBS.get(str(extra.get("club", "")), "")
    return (
        f'<td class="num" data-value="{escape(_or(attainment, "-1"))}">'
        f"{escape(percent(attainment))}</td>"
        f'<td class="num" data-value="{escape(_or(pace, "-1"))}">{escape(percent(pace))}</td>'
        f"<td>{club}</td>"
    )


def _meeting_cell(extra: dict[str, Any], limit: Any) -> str:
    hours = extra.get("meeting_hours", MISSING)
    if hours is MISSING:  # not counted (inactive): the template's failed look-up read ""
        return '<td class="num" data-value="">—</td>'
    if hours is None:
        return '<td class="num" data-value="0">—</td>'
    over = ""
    if extra.get("meeting_overloaded"):
        over = (
            f' <span class="badge bad" title="Over {escape(_raw(limit))} h a week in internal '
            'meetings">over limit</span>'
        )
    shown = Decimal(hours).quantize(TENTH, ROUND_HALF_UP)
    return f'<td class="num" data-value="{escape(_raw(hours))}">{shown}{over}</td>'


def _row(row: Any, attainment: bool, meeting_load: Any) -> str:
    """One <tr>; every value from the row is escaped (html.escape, as Django's escape)."""
    name, team = escape(row.name), escape(row.team)
    return "".join(
        (
            f'<tr data-person="{int(row.person_id)}"><th scope="row" data-value="{name}">{name}',
            "" if row.active else INACTIVE,
            f'<div class="muted small">{escape(row.role)}</div></th>',
            f'<td data-value="{team}">{team or "—"}</td>',
            f'<td class="num" data-value="{escape(_raw(row.revenue))}">'
            f"{escape(money(row.revenue))}</td>",
            f'<td class="num" data-value="{escape(_raw(row.cost))}">{escape(money(row.cost))}</td>',
            f'<td class="num" data-value="{escape(_or(row.ratio, "-1"))}">'
            f"{escape(format_ratio(row.ratio))}</td>",
            f'<td class="num" data-value="{escape(_or(row.win_rate, "-1"))}">'
            f'{escape(percent(row.win_rate))} <span class="muted small">'
            f"{int(row.won)}/{int(row.won) + int(row.lost)}</span></td>",
            _attainment_cells(row.extra) if attainment else "",
            _meeting_cell(row.extra, meeting_load.limit) if meeting_load else "",
            f'<td class="num" data-value="{escape(_raw(row.open_pipeline))}">'
            f"{escape(money(row.open_pipeline))} "
            f'<span class="muted small">({int(row.open_deals)})</span></td></tr>\n',
        )
    )


@register.simple_tag
def people_rows(rows: list[Any], attainment: Any, meeting_load: Any) -> SafeString:
    """The <tr> of each person: name, team, revenue, cost, ratio, win rate, attainment, pace and
    club (when `attainment`), this week's meeting hours (when `meeting_load`), open pipeline."""
    return mark_safe("".join(_row(row, bool(attainment), meeting_load) for row in rows))
