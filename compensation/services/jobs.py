"""Background work: nightly recomputation of open drafts, the period-close reminder, and the
drafts of one month generated on request from the statements page (with progress).

All claim their run with salesops.services.jobs.job_claim, so a duplicate delivery of the same
business date is a no-op. Failures are recorded without amounts (pay never reaches logs)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from compensation.models import Statement, StatementStatus
from compensation.services.statements import statements_generate
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import JobRun, JobStatus, Person, Role
from salesops.models.jobs import JobTrigger
from salesops.selectors.scope import AnyUser
from salesops.services.jobs import job_claim, job_fail, job_rerun_request, job_succeed
from salesops.services.progress import JobProgress

REGENERATE_JOB = "compensation.statements_regenerate"
REMIND_JOB = "compensation.period_close_remind"
GENERATE_JOB = "compensation.statements_generate"


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
    _record_failed(run, failed)
    return written


def _record_failed(run: JobRun, failed: list[tuple[int, str]]) -> None:
    """The run completed for everyone else; /ops/ shows who needs a look (no amounts)."""
    if not failed:
        return
    names = dict(Person.objects.filter(pk__in={pid for pid, _ in failed}).values_list("pk", "name"))
    run.error = (
        f"{len(failed)} statement{'s' if len(failed) != 1 else ''} could not be computed "
        "(each says why): " + ", ".join(f"{names.get(pid, pid)} ({key})" for pid, key in failed)
    )[:10_000]
    run.save(update_fields=["error"])


def statements_generate_queued(run: JobRun) -> bool:
    """A request not yet taken by a worker (its page shows "queued", not the previous attempt)."""
    return run.rerun_pending and run.status != JobStatus.RUNNING


def statements_generate_request(
    *, period: calendar.FiscalPeriod, user: AnyUser, today: date | None = None
) -> JobRun:
    """Queue the drafts of `period` for a worker (sales ops' button): the JobRun of (today, the
    month's key), created or marked for a re-run, that the page follows. A generation of the
    same month already queued or running is returned as it is, not queued twice."""
    from compensation.tasks import statements_generate_task

    today = today or calendar.company_today()
    key: dict[str, Any] = {"job": GENERATE_JOB, "business_date": today, "partition": period.key}
    now = timezone.now()
    queued = Q(rerun_pending=True) & ~Q(status=JobStatus.RUNNING)
    busy = (
        JobRun.objects.filter(job=GENERATE_JOB, partition=period.key)
        .filter(Q(status=JobStatus.RUNNING, deadline__gte=now) | queued)
        .order_by("-business_date")
        .first()
    )
    if busy is not None:
        return busy
    user_id = user.pk if user.is_authenticated else None
    try:
        with transaction.atomic():
            # Queued: a failed placeholder (attempts 0) that the worker's job_claim takes over
            # because of rerun_pending; the sweeper re-queues it if the message is lost.
            run = JobRun.objects.create(
                **key,
                status=JobStatus.FAILED,
                started_at=now,
                attempts=0,
                trigger=JobTrigger.OPS,
                rerun_pending=True,
                requested_by_id=user_id,
                requested_at=now,
            )
    except IntegrityError:
        found = job_rerun_request(**key, user_id=user_id)
        if found is None:  # running (a live lease): follow that one
            return JobRun.objects.get(**key)
        run = found
    JobRun.objects.filter(pk=run.pk).update(progress_done=0, progress_total=0)
    transaction.on_commit(
        lambda: statements_generate_task.delay(business_date=today.isoformat(), period=period.key)
    )
    return run


def statements_generate_run(*, business_date: date, period_key: str) -> JobRun | None:
    """The worker's half of statements_generate_request: claim the run (a duplicate delivery
    does nothing), generate the month's drafts with progress, record the outcome. The history
    rows name whoever asked for it."""
    run = job_claim(job=GENERATE_JOB, business_date=business_date, partition=period_key)
    if run is None:
        return None
    try:
        period = calendar.parse(period_key)
    except ValueError as exc:
        job_fail(run=run, error=str(exc))
        raise ApplicationError(str(exc)) from exc
    progress = JobProgress(model=JobRun, pk=run.pk)
    try:
        report = statements_generate(
            period=period,
            user=run.requested_by,
            progress=lambda done, total: progress.update(done=done, total=total),
        )
    except Exception as exc:
        job_fail(run=run, error=type(exc).__name__)
        raise
    progress.finish()
    job_succeed(run=run, rows=report.written)
    _record_failed(run, [(pid, period.key) for pid in report.errors])
    return run


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
