"""The test suite's settings: the project's settings on the suite's own servers.

Unless TEST_DATABASE_URL / TEST_REDIS_URL name servers of your own, the suite starts an embedded
PostgreSQL and Valkey on free ports before Django reads its settings, and stops them at exit
(salesops/devservers.py). pytest-django loads this module (pyproject.toml).
"""

from salesops.devservers import use_test_servers

use_test_servers()

from salesops.settings import *  # noqa: E402, F403
from tests.calendars import selected_calendar_settings  # noqa: E402

# SALESOPS_TEST_CALENDAR=jul-la | 445 | 454-nrf runs the suite under another company calendar.
globals().update(selected_calendar_settings())
# The suite makes thousands of API calls as a handful of users from one address: throttles
# stay out of its way (tests of the throttles set their own rates).
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": "1000000/minute",
    "user": "1000000/minute",
    "auth": "1000000/minute",
}
