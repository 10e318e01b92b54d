"""Celery tasks of the core app: thin wrappers that take ids and ISO dates and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="salesops.ping", ignore_result=False)
def ping_task() -> str:
    """Round trip through broker, worker and database; used by tests and operators."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "pong"
