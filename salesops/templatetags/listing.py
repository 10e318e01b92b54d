"""{% sort_header listing "key" "Label" %}: a column heading that sorts the table (salesops.listing)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from salesops.listing import ListPage

register = template.Library()


@register.simple_tag
def sort_header(listing: ListPage, key: str, label: str) -> str:
    if listing.sort == key:
        arrow, state = ("▼", "descending") if listing.desc else ("▲", "ascending")
    else:
        arrow, state = "", "none"
    return format_html(
        '<th aria-sort="{}"><a href="{}" data-sort="{}">{}</a>{}</th>',
        state,
        listing.sort_url(key),
        key,
        label,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )


@register.filter
def page_url(listing: ListPage, number: int) -> str:
    return listing.page_url(number)


@register.filter
def sort_url(listing: ListPage, key: str) -> str:
    return listing.sort_url(key)
