"""Telling reps their statement is ready. By email through Django's email backend (the in-app
notification model belongs to the meetings app and is not used here); never with amounts."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from compensation.models import Statement
from salesops.services.jobs import job_claim, job_succeed

READY_JOB = "compensation.statement_ready"


def statement_ready_notify(*, statement_id: int) -> bool:
    """Email the rep that their approved statement is ready, exactly once per statement
    (claimed with job_claim on the statement id). Returns whether a mail was sent."""
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
    job_succeed(run=run, rows=sent)
    return bool(sent)
