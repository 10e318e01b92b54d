"""Settings of the fault suite's worker processes: the project's defaults, on the test database
and broker, with the real SMTP backend pointed at the suite's SMTP server (FAULTS_SMTP_PORT).

Nothing is tuned for the test: claim batches, leases and retries are the project's defaults,
unless a scenario scales one explicitly through FAULTS_SETTINGS (a JSON object)."""

import json
import os

from salesops.settings import *  # noqa: F403
from tests.calendars import selected_calendar_settings

globals().update(selected_calendar_settings())

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("FAULTS_SMTP_PORT", "25"))
EMAIL_USE_TLS = False
EMAIL_TIMEOUT = 60
globals().update(json.loads(os.environ.get("FAULTS_SETTINGS", "{}")))
