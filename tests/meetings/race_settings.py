"""Settings of the two racing worker processes: the project's, plus tiny claim batches (so the
workers claim often and concurrently) and the file-counting email backend."""

from salesops.settings import *  # noqa: F403

MEETING_DELIVERY_BATCH = 2
EMAIL_BACKEND = "tests.meetings.mailbox.FileCountingBackend"
