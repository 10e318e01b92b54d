"""The signed-in person's own settings: their time zone.

Pages are shown in it (salesops.middleware) and their working hours are read in it (find-a-time,
the booking checks). Written through `person_update`, like every other change to a person.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from salesops.selectors.scope import person_for_user
from salesops.services.people import person_update
from salesops.zones import TimeZoneField


class TimeZoneForm(forms.Form):
    time_zone = TimeZoneField(label="Your time zone")


@login_required
def time_zone_view(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    if person is None:
        raise Http404("Only people of the sales org have a time zone; pages use the company's.")
    form = TimeZoneForm(request.POST or None, initial={"time_zone": person.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            person_update(person=person, data={"time_zone": form.cleaned_data["time_zone"]})
        except ValidationError as exc:
            for message in exc.message_dict.get("time_zone", exc.messages):
                form.add_error("time_zone", message)
        else:
            messages.success(request, f"Times are now shown in {person.time_zone}.")
            return redirect("time-zone")
    return render(request, "salesops/time_zone.html", {"form": form, "person": person})
