from __future__ import annotations

import pytest

from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, AttendeeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["meeting", "attendee", "agendaitem", "actionitem", "delivery", "notification", "calendarfeed"],
)
def test_every_meetings_model_has_a_working_admin(personas, client_for, model):
    item = ActionItemFactory()
    AttendeeFactory(meeting=item.meeting)
    AgendaItemFactory(meeting=item.meeting)
    client = client_for(personas.admin)
    assert client.get(f"/admin/meetings/{model}/").status_code == 200
    assert client.get(f"/admin/meetings/{model}/add/").status_code == 200


def test_meeting_admin_change_page_shows_its_inlines(personas, client_for):
    item = ActionItemFactory(description="Send the deck")
    response = client_for(personas.admin).get(f"/admin/meetings/meeting/{item.meeting_id}/change/")
    assert response.status_code == 200 and "Send the deck" in response.content.decode()
