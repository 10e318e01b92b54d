"""Settings of the two racing worker processes: the project's, plus tiny claim batches (so the
workers claim often and concurrently) and the file-counting email backend."""

from salesops.settings import *  # noqa: F403
from tests.calendars import selected_calendar_settings

# The company calendar of the test process (SALESOPS_TEST_CALENDAR), so both agree on "today".
globals().update(selected_calendar_settings())

MEETING_DELIVERY_BATCH = 2
EMAIL_BACKEND = "tests.meetings.mailbox.FileCountingBackend"
