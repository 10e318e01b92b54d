"""The rows of the dashboard's territory balance and cost-of-pursuit tables, rendered in one pass.

Like the people table's rows (dashboard_people): each row is formatted once in Python with the
filters the template loops used (money, and Django's own localize, floatformat, capfirst and
cut), same output, every value escaped (html.escape, which Django's escape applies).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import capfirst, floatformat
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from salesops.models import Stage
from salesops.templatetags.salesops_format import money


def _stage_label(stage: str) -> str:
    """A stage as people read it (Stage's label: "Needs assessment"), not its stored value."""
    return str(Stage(stage).label) if stage in Stage.values else capfirst(stage)


register = template.Library()


def _territory_row(row: Any, over: str) -> str:
    quota = escape(money(row.quota)) + (over if row.overloaded else "")
    return (
        f'<tr><th scope="row">{escape(row.territory.name)}</th>'
        f'<td class="num">{escape(str(localize(row.accounts)))}</td>'
        f'<td class="num">{escape(money(row.potential))}</td>\n'
        f'      <td class="num">{quota}</td>\n'
        f'      <td class="num">{escape(money(row.won_ytd))}</td>'
        f'<td class="num">{escape(money(row.pipeline))}</td>'
        f'<td class="num">{escape(str(localize(row.people)))}</td></tr>\n'
    )


@register.simple_tag
def territory_rows(balance: Any, limit: int) -> SafeString:
    """The first `limit` territories of the balance: accounts, potential, quota (flagged when
    above k × potential), won to date, open pipeline, people."""
    k = escape(str(localize(balance.k)))
    over = f' <span class="badge bad" title="Quota above {k} × potential">too high</span>'
    return mark_safe("".join(_territory_row(row, over) for row in balance.rows[:limit]))


def _pursuit_row(g: Any) -> str:
    per_deal = g.cost_per_deal
    return (
        f"<tr><td>{escape(str(g.segment_label))}</td><td>{escape(capfirst(g.outcome))}</td>"
        f"<td>{escape(_stage_label(g.stage))}</td>"
        f'<td class="num">{escape(str(localize(g.deals)))}</td>'
        f'<td class="num">{escape(str(localize(g.meetings)))}</td>'
        f'<td class="num">{escape(floatformat(g.hours, 1))}</td>'
        f'<td class="num">{escape(money(g.cost))}</td>'
        f'<td class="num">{"—" if per_deal is None else escape(money(per_deal))}</td></tr>\n'
    )


@register.simple_tag
def pursuit_rows(groups: list[Any]) -> SafeString:
    """Each segment/outcome/stage group: deals, meetings, hours, cost and cost per deal."""
    return mark_safe("".join(_pursuit_row(g) for g in groups))
