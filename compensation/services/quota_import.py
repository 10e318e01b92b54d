"""CSV upload of quotas and plan assignments for sales ops, with a row-level error report and a
dry run first.

All or nothing: every row is validated and written inside one transaction through the same
services as the pages and the API (quota_set, plan_assign); a dry run, or any row with an error,
rolls the whole upload back, so a half-applied file never reaches pay. Uploads are bounded in
bytes (IMPORT_MAX_UPLOAD_BYTES) and rows (MAX_ROWS).

Quotas:       person, metric, period, amount          (period: FY2026-M03, FY2026-Q1 or FY2026)
Assignments:  person, plan, start, end, target_incentive      (dates YYYY-MM-DD; end optional)
`person` is the person's e-mail or exact name (case-insensitive).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from compensation.models import CommissionPlan, Metric
from compensation.services.plans import plan_assign
from compensation.services.quotas import Assignee, quota_set
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.importer.conf import max_upload_bytes
from salesops.models import Person
from salesops.money import check_amount, check_quota
from salesops.selectors.scope import AnyUser

MAX_ROWS = 5000
QUOTAS = "quotas"
ASSIGNMENTS = "assignments"
COLUMNS = {
    QUOTAS: ("person", "metric", "period", "amount"),
    ASSIGNMENTS: ("person", "plan", "start", "end", "target_incentive"),
}
REQUIRED = {QUOTAS: ("person", "period", "amount"), ASSIGNMENTS: ("person", "plan", "start")}


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class RowResult:
    line: int
    person: str
    ok: bool
    column: str = ""
    message: str = ""


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    file_error: str = ""

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.file_error and not self.errors and bool(self.rows)


class _Rollback(Exception):
    pass


def _decimal(value: str, column: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "").strip())
    except InvalidOperation:
        raise RowError(column, f"'{value}' is not a number.") from None
    if not number.is_finite():
        raise RowError(column, f"'{value}' is not a number.")
    return number


def _date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RowError(column, f"'{value}' is not a date (YYYY-MM-DD).") from None


class _People:
    """Looks people up by e-mail or name, one query for the whole file."""

    def __init__(self, keys: Iterable[str]) -> None:
        wanted = {k.strip().lower() for k in keys if k.strip()}
        query = Q(email__in=[]) if not wanted else Q()
        for key in wanted:
            query |= Q(email__iexact=key) | Q(name__iexact=key)
        self.by_key: dict[str, list[Person]] = {}
        for person in Person.objects.filter(query, active=True) if wanted else []:
            for key in {person.email.lower(), person.name.lower()} - {""}:
                self.by_key.setdefault(key, []).append(person)

    def get(self, key: str) -> Person:
        matches = self.by_key.get(key.strip().lower(), [])
        if not matches:
            raise RowError("person", f"No active person '{key}' (give their e-mail or name).")
        if len(matches) > 1:
            raise RowError("person", f"'{key}' names several people: give the e-mail.")
        return matches[0]


def _quota_row(row: dict[str, str], people: _People, user: AnyUser) -> None:
    person = people.get(row["person"])
    metric = (row.get("metric") or Metric.REVENUE).strip()
    if metric not in Metric.values:
        raise RowError("metric", f"Unknown metric '{metric}' ({', '.join(Metric.values)}).")
    try:
        period = calendar.parse(row["period"].strip())
    except ValueError:
        raise RowError("period", f"'{row['period']}' is not a fiscal period.") from None
    amount = _decimal(row["amount"], "amount")
    errors: dict[str, str] = {}
    check_quota(amount, "amount", errors)
    if errors:
        raise RowError("amount", errors["amount"])
    quota_set(
        user=user, assignee=Assignee(person=person), metric=metric, period=period, amount=amount
    )


def _assignment_row(row: dict[str, str], people: _People, user: AnyUser) -> None:
    person = people.get(row["person"])
    plan = CommissionPlan.objects.filter(name__iexact=row["plan"].strip()).first()
    if plan is None:
        raise RowError("plan", f"No plan named '{row['plan']}'.")
    start = _date(row["start"], "start")
    end = _date(row["end"], "end") if (row.get("end") or "").strip() else None
    target = None
    if (row.get("target_incentive") or "").strip():
        target = _decimal(row["target_incentive"], "target_incentive")
        errors: dict[str, str] = {}
        check_amount(target, "target_incentive", errors)
        if errors:
            raise RowError("target_incentive", errors["target_incentive"])
    plan_assign(user=user, person=person, plan=plan, start=start, end=end, target_incentive=target)


ROW_WRITERS: dict[str, Callable[[dict[str, str], _People, AnyUser], None]] = {
    QUOTAS: _quota_row,
    ASSIGNMENTS: _assignment_row,
}


def _read(data: bytes, kind: str) -> list[dict[str, str]]:
    if len(data) > max_upload_bytes():
        raise RowError("", f"The file is larger than {max_upload_bytes():,} bytes: split it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RowError("", "The file is not UTF-8 text (save it as CSV UTF-8).") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        raise RowError(
            "", f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS[kind])}."
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise RowError("", f"More than {MAX_ROWS:,} rows: split the file.")
        rows.append({k: (v or "") for k, v in row.items() if k is not None})
    return rows


def _message(exc: ValidationError | ApplicationError) -> tuple[str, str]:
    if isinstance(exc, ApplicationError):
        return "", exc.message
    if hasattr(exc, "error_dict"):
        column, messages = next(iter(exc.message_dict.items()))
        return column, " ".join(messages)
    return "", " ".join(exc.messages)


def _write_row(
    line: int, row: dict[str, str], kind: str, people: _People, user: AnyUser
) -> RowResult:
    try:
        with transaction.atomic():
            ROW_WRITERS[kind](row, people, user)
    except RowError as exc:
        return RowResult(line, row.get("person", ""), False, exc.column, exc.message)
    except (ValidationError, ApplicationError) as exc:
        column, message = _message(exc)
        return RowResult(line, row.get("person", ""), False, column, message)
    return RowResult(line, row.get("person", ""), True)


def pay_csv_import(*, user: AnyUser, kind: str, data: bytes, dry_run: bool) -> ImportReport:
    """Validate (dry run) or apply an upload of quotas or assignments; see the module doc."""
    if kind not in COLUMNS:
        raise ValidationError({"kind": f"Choose {QUOTAS} or {ASSIGNMENTS}."})
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        rows = _read(data, kind)
    except RowError as exc:
        report.file_error = exc.message
        return report
    if not rows:
        report.file_error = "The file has a header but no rows."
        return report
    people = _People(r.get("person", "") for r in rows)
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):  # line 1 is the header
                report.rows.append(_write_row(line, row, kind, people, user))
            if dry_run or report.errors:
                raise _Rollback
    except _Rollback:
        pass
    return report


def template_csv(kind: str) -> str:
    return ",".join(COLUMNS[kind]) + "\n"


__all__ = ["ASSIGNMENTS", "QUOTAS", "ImportReport", "pay_csv_import", "template_csv"]
