"""Web imports run on a worker: the request stores the upload and queues the task; the worker
runs the same `crm_import_run` on the stored files with progress on the ImportRun.

`crm_import_run_queued` is idempotent: it claims the queued run with a conditional UPDATE (its
`progress_total` leaves 0), so a second delivery does nothing. A run whose worker died stays
RUNNING until `import_runs_mark_lost` closes it (nothing was written: one transaction).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from salesops.importer import conf
from salesops.importer.reader import source_name
from salesops.importer.report import ImportReport
from salesops.importer.services import FILE_KINDS, crm_import_run, stage_map_build
from salesops.importer.tasks import crm_import_run_task
from salesops.models import ImportRun, ImportStatus, ImportUpload

# The stored options travel with the files (one row each), not in the report the run fills.
OPTIONS = "_options"


class _StoredFile(io.BytesIO):
    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name
        self.size = len(content)


def _validate(files: Mapping[str, Any], stage_map: str | Mapping[str, str] | None) -> None:
    given = {kind: f for kind, f in files.items() if f is not None}
    unknown = sorted(set(given) - set(FILE_KINDS))
    if unknown:
        raise ValidationError({"files": f"Unknown file kind: {', '.join(unknown)}."})
    if not given:
        raise ValidationError({"files": "Give at least one file to import."})
    too_large = conf.upload_too_large([int(getattr(f, "size", 0) or 0) for f in given.values()])
    if too_large:
        raise ValidationError({"files": too_large})
    stage_map_build(stage_map)


@transaction.atomic
def crm_import_queue(
    *,
    files: Mapping[str, Any],
    stage_map: str | Mapping[str, str] | None,
    dry_run: bool,
    strict: bool,
    user: AbstractBaseUser | AnonymousUser | None,
    origin: str,
) -> ImportRun:
    """Store an upload (bounded by IMPORT_MAX_UPLOAD_BYTES) and queue its import."""
    _validate(files, stage_map)
    given = {kind: f for kind, f in files.items() if f is not None}
    run = ImportRun.objects.create(
        user_id=user.pk if user is not None and user.is_authenticated else None,
        origin=origin,
        dry_run=dry_run,
        strict=strict,
        files={kind: {"name": source_name(f), "size": f.size} for kind, f in given.items()},
        report=_queued_report(dry_run=dry_run, strict=strict),
    )
    run.report["run_id"] = run.pk
    run.save(update_fields=["report"])
    options = json.dumps({"stage_map": stage_map or ""}).encode()
    ImportUpload.objects.bulk_create(
        [ImportUpload(run=run, kind=OPTIONS, name="options.json", content=options)]
        + [
            ImportUpload(run=run, kind=kind, name=source_name(f), content=f.read())
            for kind, f in given.items()
        ]
    )
    transaction.on_commit(lambda: crm_import_run_task.delay(run.pk))
    return run


def _queued_report(*, dry_run: bool, strict: bool) -> dict[str, Any]:
    report = ImportReport(dry_run=dry_run, strict=strict, run_id=0)
    report.status = ImportStatus.RUNNING
    report.message = "Queued: a worker imports the files."
    return report.as_dict()


def crm_import_run_queued(*, run_id: int) -> ImportReport | None:
    """Run a queued import once (None when it was already claimed or is finished)."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status=ImportStatus.RUNNING, finished_at__isnull=True, progress_total=0
    ).update(progress_total=1)
    if not claimed:
        return None
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    uploads = {u.kind: u for u in ImportUpload.objects.filter(run=run)}
    options = json.loads(bytes(uploads.pop(OPTIONS).content)) if OPTIONS in uploads else {}
    files = {kind: _StoredFile(bytes(u.content), u.name) for kind, u in uploads.items()}
    try:
        return crm_import_run(
            files=files,
            stage_map=options.get("stage_map") or None,
            dry_run=run.dry_run,
            strict=run.strict,
            user=run.user,
            origin=run.origin,
            run=run,
        )
    finally:
        ImportUpload.objects.filter(run_id=run_id).delete()
