"""Background work: nightly recomputation of open drafts and the period-close reminder.

Both claim their run with salesops.services.jobs.job_claim, so a duplicate delivery of the same
business date is a no-op. Failures are recorded without amounts (pay never reaches logs)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count

from compensation.models import Statement, StatementStatus
from compensation.services.statements import statements_generate
from salesops import calendar
from salesops.models import Person, Role
from salesops.services.jobs import job_claim, job_fail, job_succeed

REGENERATE_JOB = "compensation.statements_regenerate"
REMIND_JOB = "compensation.period_close_remind"


def open_periods(*, business_date: date) -> list[calendar.FiscalPeriod]:
    """The current and previous fiscal month, plus every earlier month that still has drafts."""
    current = calendar.period_containing(business_date, calendar.MONTH)
    months = {current, current.previous()}
    for start in (
        Statement.objects.filter(status=StatementStatus.DRAFT, period_start__lt=current.start)
        .values_list("period_start", flat=True)
        .distinct()
    ):
        months.add(calendar.period_containing(start, calendar.MONTH))
    return sorted(months)


def statements_regenerate_open(*, business_date: date) -> int | None:
    """Recompute the drafts of every open month, oldest first (carry-forwards flow forward).
    Returns the statements written, or None when another run already claimed this date."""
    run = job_claim(job=REGENERATE_JOB, business_date=business_date)
    if run is None:
        return None
    written = 0
    failed: list[tuple[int, str]] = []
    try:
        for period in open_periods(business_date=business_date):
            report = statements_generate(period=period)
            written += report.written
            failed.extend((pid, period.key) for pid in report.errors)
    except Exception as exc:
        job_fail(run=run, error=type(exc).__name__)
        raise
    job_succeed(run=run, rows=written)
    if failed:
        # The run completed for everyone else; /ops/ shows who needs a look (no amounts).
        names = dict(
            Person.objects.filter(pk__in={pid for pid, _ in failed}).values_list("pk", "name")
        )
        run.error = (
            f"{len(failed)} statement{'s' if len(failed) != 1 else ''} could not be computed "
            "(each says why): " + ", ".join(f"{names.get(pid, pid)} ({key})" for pid, key in failed)
        )[:10_000]
        run.save(update_fields=["error"])
    return written


def period_close_remind(*, business_date: date) -> int | None:
    """On the first day of a fiscal month, tell sales ops that the previous month closed and how
    many statements wait for review. Once per closed month (claimed on its key). Email through
    Django's email backend; no amounts in the message. Returns the number of emails sent."""
    if calendar.period_containing(business_date, calendar.MONTH).start != business_date:
        return 0
    closed = calendar.period_containing(business_date - timedelta(days=1), calendar.MONTH)
    run = job_claim(job=REMIND_JOB, business_date=business_date, partition=closed.key)
    if run is None:
        return None
    counts = dict(
        Statement.objects.filter(period_start=closed.start)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    recipients = sorted(
        {
            p.email or (p.user.email if p.user else "")
            for p in Person.objects.filter(role=Role.SALES_OPS_MANAGER, active=True).select_related(
                "user"
            )
        }
        - {""}
    )
    ends_quarter = calendar.period_containing(closed.start, calendar.QUARTER).end == closed.end
    subject = f"Period {closed.key} closed" + (" (quarter end)" if ends_quarter else "")
    body = (
        f"The fiscal month {closed.label} has closed.\n"
        f"Draft statements to review and approve: {counts.get(StatementStatus.DRAFT, 0)}\n"
        f"Approved, not yet paid: {counts.get(StatementStatus.APPROVED, 0)}\n"
        "Review them under Quota & pay → Statements.\n"
    )
    sent = 0
    if recipients:
        sent = send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    job_succeed(run=run, rows=len(recipients) if sent else 0)
    return len(recipients) if sent else 0
