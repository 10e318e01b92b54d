"""The test suite's settings: the project's settings on the suite's own servers.

Unless TEST_DATABASE_URL / TEST_REDIS_URL name servers of your own, the suite starts an embedded
PostgreSQL and Valkey on free ports before Django reads its settings, and stops them at exit
(salesops/devservers.py). pytest-django loads this module (pyproject.toml).
"""

import os

from salesops.devservers import use_test_servers

# The suite runs the development settings (salesops.settings defaults to DEBUG=False and then
# requires SECRET_KEY and ALLOWED_HOSTS); pytest-django still serves requests with DEBUG off.
os.environ.setdefault("DEBUG", "True")

use_test_servers()


def _redis_db_per_xdist_worker() -> None:
    """Under `pytest -n N` (pytest-xdist) worker gwK uses Redis database <base> + K: its broker,
    results, queues and control messages stay its own (kombu scopes fan-out channels by database)
    while it shares the servers. pytest-django gives each worker its own test database. Set in
    os.environ so the Celery worker processes a test starts inherit it; derived from the URL the
    run started with, so a child process that loads these settings again gets the same one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    base = os.environ.setdefault("SALESOPS_TEST_REDIS_BASE_URL", os.environ["REDIS_URL"])
    head, _, db = base.rstrip("/").rpartition("/")
    if not db.isdigit():
        head, db = base.rstrip("/"), "0"
    os.environ["REDIS_URL"] = f"{head}/{int(db) + int(worker[2:])}"


_redis_db_per_xdist_worker()

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
