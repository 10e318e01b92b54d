"""The CRM import task (web uploads). Registered when salesops.importer.queue is imported (by
the admin and the API, which Django loads in every process, the worker included).

Policy: not acks_late: the import claims its run (see queue.py), so a re-delivery does nothing,
and a worker lost mid-import leaves the run to `import_runs_mark_lost` (nothing was written).
No autoretry: a failed import is reported on its run and re-uploaded by a person.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="salesops.importer.crm_import_run_task", ignore_result=True)
def crm_import_run_task(run_id: int) -> str:
    from salesops.importer.queue import crm_import_run_queued

    report = crm_import_run_queued(run_id=run_id)
    return report.status if report else "already claimed"
