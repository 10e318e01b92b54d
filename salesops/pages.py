"""The core's table pages: people, accounts and deals, each searchable, filterable in the query
string, sortable by whitelisted columns, paged, and downloadable as CSV (salesops.listing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from salesops.listing import Listing
from salesops.models import Account, Person, Role, Stage
from salesops.selectors.core import account_list, deal_list, person_list
from salesops.widgets import Chooser

PEOPLE = Listing(
    sorts={"name": "name", "role": "role", "team": "team__name", "hired": "hire_date"},
    default_sort="name",
    search_fields=("name", "email"),
    search_label="Name or e-mail",
    columns=(
        ("id", lambda p: p.pk),
        ("name", lambda p: p.name),
        ("email", lambda p: p.email),
        ("role", lambda p: p.get_role_display()),
        ("team", lambda p: p.team.name if p.team else ""),
        ("manager", lambda p: p.manager.name if p.manager else ""),
        ("hire_date", lambda p: p.hire_date),
        ("active", lambda p: "yes" if p.active else "no"),
    ),
)

ACCOUNTS = Listing(
    sorts={
        "name": "name",
        "sector": "sector",
        "country": ("country", "region"),
        "employees": "employees",
        "revenue": "annual_revenue",
    },
    default_sort="name",
    search_fields=("name",),
    search_label="Account name",
    columns=(
        ("id", lambda a: a.pk),
        ("name", lambda a: a.name),
        ("sector", lambda a: a.sector),
        ("country", lambda a: a.country),
        ("region", lambda a: a.region),
        ("employees", lambda a: a.employees),
        ("annual_revenue", lambda a: a.annual_revenue),
        ("owner", lambda a: a.owner.name if a.owner else ""),
    ),
)

DEALS = Listing(
    sorts={
        "id": "external_id",
        "account": "account__name",
        "owner": "owner__name",
        "stage": "stage",
        "amount": "amount",
        "value": "close_value",
        "close": "close_date",
    },
    default_sort="-close",
    search_fields=("external_id",),
    search_label="Deal id",
    columns=(
        ("deal", lambda d: d.external_id),
        ("account", lambda d: d.account.name if d.account else ""),
        ("product", lambda d: d.product.name),
        ("owner", lambda d: d.owner.name),
        ("stage", lambda d: d.get_stage_display()),
        ("amount", lambda d: d.amount),
        ("close_value", lambda d: d.close_value),
        ("engage_date", lambda d: d.engage_date),
        ("close_date", lambda d: d.close_date),
    ),
)


class PeopleFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    active = forms.ChoiceField(
        choices=[("", "Active and inactive"), ("true", "Active"), ("false", "Inactive")],
        required=False,
    )


class AccountFilterForm(forms.Form):
    sector = forms.CharField(required=False, max_length=80)
    country = forms.CharField(required=False, max_length=2, label="Country (ISO)")
    owner = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, widget=Chooser(source="choose-people")
    )


class DealFilterForm(forms.Form):
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    owner = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, widget=Chooser(source="choose-people")
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.all(), required=False, widget=Chooser(source="choose-accounts")
    )
    closed_after = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closed_before = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _filters(form: forms.Form) -> QueryDict:
    """The filter form's non-empty values, as the entity's FilterSet reads them."""
    out = QueryDict(mutable=True)
    for name in form.fields:
        raw = form.data.get(name, "")
        if raw not in ("", None):
            out[name] = raw
    return out


def _table_page(
    *, name: str, form_class: type[forms.Form], select: Any, listing: Listing
) -> Callable[[HttpRequest], HttpResponse]:
    """The page of one table: its filter form over the query string, the scoped selector, the
    listing's sort, page and CSV (`<name>.csv`), rendered with `salesops/<name>.html`."""

    @login_required
    def page(request: HttpRequest) -> HttpResponse:
        form = form_class(request.GET)
        rows: QuerySet[Any]
        try:
            rows = select(user=request.user, filters=_filters(form) or None)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            rows = select(user=request.user).none()
        if listing.wants_csv(request):
            return listing.csv(request, rows, f"{name}.csv")
        context = {"form": form, "listing": listing.page(request, rows)}
        return render(request, f"salesops/{name}.html", context)

    page.__name__ = page.__qualname__ = f"{name}_page"
    return page


people_page = _table_page(
    name="people", form_class=PeopleFilterForm, select=person_list, listing=PEOPLE
)
accounts_page = _table_page(
    name="accounts", form_class=AccountFilterForm, select=account_list, listing=ACCOUNTS
)
deals_page = _table_page(
    name="deals",
    form_class=DealFilterForm,
    select=lambda **kw: deal_list(**kw).prefetch_related(None),
    listing=DEALS,
)
