"""Telling reps their statement is ready. By email through Django's email backend (the in-app
notification model belongs to the meetings app and is not used here); never with amounts."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail

from compensation.models import Statement
from salesops.services.jobs import job_claim, job_fail, job_succeed

READY_JOB = "compensation.statement_ready"
# What a mail relay raises when it is slow, down or says "try again later": retried with backoff.
MAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)


def statement_ready_notify(*, statement_id: int) -> bool:
    """Email the rep that their approved statement is ready, exactly once per statement
    (claimed with job_claim on the statement id). Returns whether a mail was sent.

    A mail error (MAIL_ERRORS) fails the run with the error recorded and is raised again, so the
    task retries with backoff (a failed run is claimed again); after the last retry the failure
    stays on /ops/, with the run, instead of being lost."""
    statement = Statement.objects.select_related("person__user").filter(pk=statement_id).first()
    if statement is None or statement.status == "draft":
        return False
    run = job_claim(
        job=READY_JOB, business_date=statement.period_start, partition=f"statement:{statement_id}"
    )
    if run is None:
        return False
    person = statement.person
    address = person.email or (person.user.email if person.user else "")
    sent = 0
    if address:
        # Never the amounts: mail leaves the building. The rep reads them after logging in.
        try:
            sent = send_mail(
                subject=f"Your commission statement for {statement.period_key} is ready",
                message=(
                    f"Hello {person.name},\n\nyour statement for {statement.period_key} was "
                    "approved. Open SalesOps → Quota & pay to review it; dispute any line you "
                    "disagree with.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        except MAIL_ERRORS as exc:
            job_fail(run=run, error=f"mail not sent: {type(exc).__name__}: {exc}")
            raise
    job_succeed(run=run, rows=sent)
    return bool(sent)
